"""`comms-assistant templates check`: what each Word template lacks, in words a person can act
on, before an incident finds out."""

from __future__ import annotations

from pathlib import Path

import typer

from comms_assistant.adapters.word.check import NAMES, Kind, check_template
from comms_assistant.config import Settings

KINDS: tuple[Kind, ...] = ("report", "review", "major", "board")


def check_files(files: list[Path], kind: str | None, *, quiet: bool = False) -> int:
    """Print the findings for `files` (none: the templates `publish` uploads); 1 when any
    template cannot be used as it is. `quiet`: print only the problems."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.word_templates import template_files

    settings: Settings | None = None
    if not files or kind is None:
        app = bootstrap()
        settings = app.settings
        if not files:
            try:
                files = list(template_files(app).values())
            except FileNotFoundError as error:
                typer.echo(str(error), err=True)
                return 1
    failed = 0
    for path in files:
        failed |= _check_file(path, _kind(path, kind, settings), quiet=quiet)
    return failed


def _check_file(path: Path, which: Kind | None, *, quiet: bool) -> int:
    """Print what the template at `path` lacks; 1 when it cannot be used as it is."""
    if not path.is_file():
        typer.echo(f"{path}: there is no such file: check the path and the name.", err=True)
        return 1
    if which is None:
        typer.echo(
            f"{path.name}: say which template it is with --kind report, review, major or board.",
            err=True,
        )
        return 1
    findings = check_template(path.read_bytes(), which)
    if findings.ok and quiet:
        return 0
    said = "has everything the assistant needs" if findings.ok else "cannot be used yet"
    typer.echo(f"{path.name} (the {NAMES[which]} template) {said}.")
    for problem in findings.problems:
        typer.echo(f"  \u2717 {problem}")
    for note in () if quiet else findings.notes:
        typer.echo(f"  - {note}")
    return int(not findings.ok)


def _kind(path: Path, said: str | None, settings: Settings | None) -> Kind | None:
    for kind in KINDS:
        if said == kind:
            return kind
    if said is not None or settings is None:
        return None
    names: dict[str, Kind] = {
        settings.report_template: "report",
        settings.review_template: "review",
        settings.major_incident_template: "major",
        settings.board_report_template: "board",
    }
    return names.get(path.name)


def published(uploaded: list[str], *, replace: bool) -> str:
    """What `templates publish` did; templates already in SharePoint are kept unless --replace,
    so the answer names the option whenever one was kept."""
    from comms_assistant.config import Settings

    settings = Settings()
    names = (settings.report_template, settings.review_template, settings.major_incident_template)
    folder = settings.templates_folder
    kept = [f"{folder}/{n}" for n in names if f"{folder}/{n}" not in uploaded]
    lines = [f"Uploaded {p}" for p in uploaded]
    if kept and not replace:
        lines.append(
            f"Already there, so kept as they are: {', '.join(kept)}. "
            "'comms-assistant templates publish --replace' uploads them again (it overwrites "
            "any changes people made to them in SharePoint)."
        )
    return "\n".join(lines)
