"""The public status page's words, from the templates (templates/status/, plain text).

The service layer's `PublicWording` (service/status_page_port.py): an organisation's own
templates folder first, then the bundled ones, in the sandboxed environment every template
runs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comms_assistant.adapters.render_templates import environment, template_loaders
from comms_assistant.adapters.render_text import paragraphs

TEMPLATES = ("update", "holding", "resolved")


class PublicWords:
    def __init__(self, templates_dir: Path | None = None) -> None:
        # Plain text: nothing is escaped, and nothing here is ever HTML.
        self.env = environment(template_loaders(templates_dir), autoescape=False)

    def body(self, template: str, *, happening: str, advice: str, services: Sequence[str]) -> str:
        if template not in TEMPLATES:
            raise ValueError(f"no status page template {template!r}: one of {TEMPLATES}")
        made = self.env.get_template(f"status/{template}.txt").render(
            happening=happening, advice=advice, services=list(services)
        )
        return "\n\n".join(paragraphs(made))

    def name(self, services: Sequence[str]) -> str:
        made = self.env.get_template("status/name.txt").render(services=list(services))
        return " ".join(made.split())
