"""`comms-assistant check-text FILE`: the plain-English checker from a shell.

Exit status: 0 nothing to report, 1 findings, 2 the input (or the glossary) could not be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

CLEAN, FINDINGS, BAD_INPUT = 0, 1, 2


def check_text(source: str, *, as_json: bool, kind: str, glossary_dir: Path | None) -> int:
    from comms_assistant.adapters.glossary import GlossaryError, load_glossary
    from comms_assistant.domain.plain_english import Kind, check, format_findings

    try:
        text = _read(source)
        chosen = Kind(kind.lower())
        glossary = load_glossary(glossary_dir or _contacts_dir())
    except UnicodeDecodeError:
        return _refuse(f"{source} is not UTF-8 text: save it as UTF-8 and try again.")
    except (OSError, GlossaryError) as error:
        return _refuse(str(error))
    except ValueError:
        kinds = ", ".join(k.value for k in Kind)
        return _refuse(f'--kind "{kind}" is not one of: {kinds}.')
    if not text.strip():
        return _refuse("There is no text to check.")
    report = check(text, kind=chosen, glossary=glossary)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_findings(report))
        typer.echo(f"Reading grade (Flesch-Kincaid): {report.grade:g}")
    return CLEAN if report.clean else FINDINGS


def _read(source: str) -> str:
    if source == "-":
        # Bytes, decoded strictly: a wrongly encoded file is bad input, not a run of jargon.
        return sys.stdin.buffer.read().decode("utf-8-sig")
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"There is no file {source}.")
    return path.read_bytes().decode("utf-8-sig")


def _contacts_dir() -> Path | None:
    """The contacts folder the rest of the product uses (setting `contacts_dir`)."""
    from comms_assistant.config import Settings

    return Settings().contacts_dir


def _refuse(message: str) -> int:
    typer.echo(message, err=True)
    return BAD_INPUT
