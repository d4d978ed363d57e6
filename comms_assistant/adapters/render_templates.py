"""The Jinja2 side of the stakeholder messages: where templates are found, the sandboxed
environment they run in, and the message's blocks read out of a template as sections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from comms_assistant.adapters.render_cards import markdown_literal
from comms_assistant.adapters.render_text import nl2br, paragraphs, sentence
from comms_assistant.resources import bundled

SECTIONS = (
    ("what_is_happening", "What is happening"),
    ("what_we_are_doing", "What we are doing"),
    ("what_you_need_to_do", "What you need to do"),
    ("next_update", "Next update"),
)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def default_templates_dir() -> Path:
    return bundled("templates")


def template_loaders(templates_dir: Path | None) -> list[Any]:
    """An organisation's templates folder, if any, then the defaults."""
    loaders = []
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise ValueError(f"The templates folder {templates_dir} does not exist.")
        loaders.append(FileSystemLoader(templates_dir))
    # An organisation's folder may hold only the templates it changed; the rest fall back.
    loaders.append(FileSystemLoader(default_templates_dir()))
    return loaders


def environment(loaders: list[Any], **options: Any) -> SandboxedEnvironment:
    """The templates' environment; `options` (a `finalize`, `autoescape`) as Jinja2 takes them."""
    options.setdefault(
        "autoescape", select_autoescape(("html", "htm", "xml"), default_for_string=False)
    )
    # Sandboxed: templates are edited by people outside the development team.
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters.update(nl2br=nl2br, sentence=sentence)
    return env


def card_environment(loaders: list[Any]) -> SandboxedEnvironment:
    """The card's copy of the templates, which shows every value as typed, not as Markdown:
    escaping each `{{ ... }}` as it is written out reaches every value, however a template gets
    it (`incident.title` too), after its filters, and leaves the template's own words alone."""
    return environment(loaders, finalize=_card_value)


def _card_value(value: Any) -> str:
    # str() first: a StrictUndefined still raises here, as it does in the email.
    return markdown_literal(str(value))


def sections(template: Any, override: Any, context: dict[str, Any]) -> tuple[Section, ...]:
    """The message's sections from `template`'s blocks, each block from `override` where it has
    one; a section whose block says nothing is left out."""
    found = []
    for name, heading in SECTIONS:
        source = override if override and name in override.blocks else template
        block = source.blocks.get(name)
        if block is None:
            raise TemplateError(f'{template.name} needs a "{name}" block.')
        words = paragraphs("".join(block(source.new_context(context))))
        if words:
            found.append(Section(heading, words))
    return tuple(found)
