"""`comms-assistant check-text FILE`: the plain-English checker from a shell.

Exit status: 0 nothing that would hold a message back (advice may still be printed), 1 words
readers may not understand (what holds a non-urgent message back in Teams), 2 the input (or the
glossary) could not be read, or is over MAX_BYTES. `--fix` prints, after the findings, the text
with the suggested words put in (checked again): what "send suggested" would send.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import typer

CLEAN, FINDINGS, BAD_INPUT = 0, 1, 2
# A stakeholder message is a few hundred words; a megabyte is far past any (and checks in ~1s).
MAX_BYTES = 1_000_000
FIXED_HEADING = "With the suggested words:"


class TooLong(ValueError):
    pass


def check_text(
    source: str, *, as_json: bool, kind: str, glossary_dir: Path | None, fix: bool = False
) -> int:
    from comms_assistant.adapters.glossary import GlossaryError, load_glossary
    from comms_assistant.domain.plain_english import (
        Kind,
        apply_suggestions,
        check,
        format_findings,
    )

    try:
        text = _read(source)
        chosen = Kind(kind.lower())
        glossary = load_glossary(glossary_dir or _contacts_dir())
    except UnicodeDecodeError:
        return _refuse(f"{source} is not UTF-8 text: save it as UTF-8 and try again.")
    except TooLong:
        return _refuse(
            f"{source} is over {MAX_BYTES:,} bytes (1 MB), the most check-text reads: "
            "check a message at a time."
        )
    except (OSError, GlossaryError) as error:
        return _refuse(str(error))
    except ValueError:
        kinds = ", ".join(k.value for k in Kind)
        return _refuse(f'--kind "{kind}" is not one of: {kinds}.')
    if not text.strip():
        return _refuse("There is no text to check.")
    report = check(text, kind=chosen, glossary=glossary)
    fixed = apply_suggestions(text, report) if fix else None
    if as_json:
        data = report.to_dict()
        if fixed is not None:
            data["fixed"] = fixed
            data["fixed_report"] = check(fixed, kind=chosen, glossary=glossary).to_dict()
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_findings(report))
        if report.words:  # text in another language is not read, so it has no grade
            typer.echo(f"Reading grade (Flesch-Kincaid): {report.grade:g}")
        if fixed is not None:
            _show_fixed(
                text, fixed, lambda t: format_findings(check(t, kind=chosen, glossary=glossary))
            )
    return FINDINGS if report.holds else CLEAN


def _show_fixed(text: str, fixed: str, findings: Callable[[str], str]) -> None:
    typer.echo("")
    if fixed == text:
        typer.echo("No words could be put in for you: the text is as written.")
        return
    typer.echo(FIXED_HEADING)
    typer.echo(fixed)
    again = findings(fixed)
    typer.echo("")
    typer.echo("Checked again: " + again)


def _read(source: str) -> str:
    if source == "-":
        # Bytes, decoded strictly: a wrongly encoded file is bad input, not a run of jargon.
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"There is no file {source}.")
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLong(source)
    return data.decode("utf-8-sig")


def _contacts_dir() -> Path | None:
    """The contacts folder the rest of the product uses (setting `contacts_dir`)."""
    from comms_assistant.config import Settings

    return Settings().contacts_dir


def _refuse(message: str) -> int:
    typer.echo(message, err=True)
    return BAD_INPUT
