"""`comms-assistant profile check` and `glossary check`: does the process profile, or the
glossary, load as it is now? What a bad edit's notice tells people to run (docs/bad-edits.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

profile_app = typer.Typer(help="The process profile (the profile setting).", no_args_is_help=True)
glossary_app = typer.Typer(help="The glossary (glossary.csv).", no_args_is_help=True)


@profile_app.command("check")
def profile_check(
    profile: Annotated[
        str | None,
        typer.Argument(help="A shipped profile's name or a .toml file (default: the setting)."),
    ] = None,
) -> None:
    """Check the process profile loads; exit 1 with what is wrong if not."""
    from comms_assistant.adapters.profiles import ProfileError, load_profile
    from comms_assistant.config import Settings

    chosen = profile or Settings().profile
    try:
        policy = load_profile(chosen)
    except ProfileError as error:
        typer.echo(str(error))
        raise typer.Exit(1) from None
    typer.echo(f'No problems found: the profile "{policy.name}" ({chosen}) loads.')


@glossary_app.command("check")
def glossary_check(
    folder: Annotated[
        Path | None,
        typer.Argument(help="The folder holding glossary.csv (default: the contacts_dir setting)."),
    ] = None,
) -> None:
    """Check glossary.csv loads; exit 1 with every problem and its line if not."""
    from comms_assistant.adapters.contacts import default_contacts_dir
    from comms_assistant.adapters.glossary import GLOSSARY_FILE, GlossaryError, load_glossary
    from comms_assistant.config import Settings

    folder = folder or Settings().contacts_dir or default_contacts_dir()
    try:
        load_glossary(folder)
    except GlossaryError as error:
        typer.echo(str(error))
        raise typer.Exit(1) from None
    there = (folder / GLOSSARY_FILE).is_file()
    typer.echo(
        f"No problems found in {folder / GLOSSARY_FILE}."
        if there
        else f"There is no {GLOSSARY_FILE} in {folder}: only the service names are allowed."
    )
