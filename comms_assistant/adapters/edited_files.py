"""The files people edit while the product runs (the contacts directory, the profile and the
glossary) as sources of adapters/last_good.py: which files, how each loads, and what a mistake
in it says (the file people edit, the line, what is wrong and the command that checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from comms_assistant.adapters.contacts import (
    CONTACTS_FILE,
    ROUTING_FILE,
    SERVICES_FILE,
    ContactsError,
    load_directory,
)
from comms_assistant.adapters.glossary import GLOSSARY_FILE, GlossaryError, load_glossary
from comms_assistant.adapters.last_good import LastGood, Source
from comms_assistant.adapters.profiles import PROFILES, ProfileError, load_profile
from comms_assistant.domain.audiences import Directory
from comms_assistant.domain.plain_english import Glossary
from comms_assistant.domain.policy import Policy
from comms_assistant.service.bad_edits import Mistake

CONTACTS_CHECK = "comms-assistant contacts check"
GLOSSARY_CHECK = "comms-assistant glossary check"
CONTACTS_DIR_SETTING = (
    "the contacts_dir setting (COMMS_ASSISTANT_CONTACTS_DIR or comms-assistant.toml) says where "
    "it is"
)
PROFILE_CHECK = "comms-assistant profile check"
_LINE = re.compile(r"^(?P<file>[^,:]+), line (?P<line>\d+): (?P<problem>.*)$")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def profile_file(profile: str) -> Path:
    """The file of the profile setting: a shipped profile's by name, else the path given."""
    path = Path(profile)
    return PROFILES / f"{profile}.toml" if not path.suffix else path


class EditedFiles(LastGood):
    """The last good contacts directory, profile and glossary, each read again when its files
    change (adapters/last_good.py)."""

    def __init__(
        self, contacts: Path, profile: str, home: Path, tz: ZoneInfo, clock: Callable[[], datetime]
    ) -> None:
        sources = [_contacts(contacts), _glossary(contacts), _profile(profile)]
        super().__init__(cast(list[Source[object]], sources), home, tz, clock)

    def directory(self) -> Directory:
        return cast(Directory, self.current("contacts"))

    def glossary(self) -> Glossary:
        return cast(Glossary, self.current("glossary"))

    def policy(self) -> Policy:
        return cast(Policy, self.current("profile"))


def _contacts(folder: Path) -> Source[Directory]:
    def mistake(error: Exception, copy: Path, digest: str) -> Mistake | None:
        if not isinstance(error, ContactsError) or not error.problems:
            return None
        if not folder.is_dir():  # moved, or the setting names the wrong place: not an edit
            return Mistake(
                what="contacts directory",
                file=folder,
                line=None,
                problem=CONTACTS_DIR_SETTING,
                check=CONTACTS_CHECK,
                digest=digest,
                gone=True,
            )
        first = error.problems[0]
        return Mistake(
            what="contacts file",
            file=folder / first.file,
            line=first.line,
            problem=first.message.replace(str(copy), str(folder)),
            check=CONTACTS_CHECK,
            digest=digest,
            more=len(error.problems) - 1,
        )

    return Source(
        "contacts",
        lambda: [folder / CONTACTS_FILE, folder / SERVICES_FILE, folder / ROUTING_FILE],
        load_directory,
        mistake,
    )


def _glossary(folder: Path) -> Source[Glossary]:
    def mistake(error: Exception, copy: Path, digest: str) -> Mistake | None:
        if not isinstance(error, GlossaryError):
            return None
        lines = [p.strip().removeprefix("- ") for p in str(error).splitlines()[1:]]
        found = _LINE.match(lines[0]) if lines else None
        return Mistake(
            what="glossary",
            file=folder / GLOSSARY_FILE,
            line=int(found["line"]) if found else None,
            problem=found["problem"] if found else (lines or [str(error)])[0],
            check=GLOSSARY_CHECK,
            digest=digest,
            more=max(len(lines) - 1, 0),
        )

    return Source(
        "glossary", lambda: [folder / GLOSSARY_FILE, folder / SERVICES_FILE], load_glossary, mistake
    )


def _profile(setting: str) -> Source[Policy]:
    live = profile_file(setting)

    def load(copy: Path) -> Policy:
        if not live.is_file() and not Path(setting).suffix:
            return load_profile(setting)  # no such shipped profile: it names those there are
        return load_profile(str(copy / live.name))

    def mistake(error: Exception, copy: Path, digest: str) -> Mistake | None:
        if not isinstance(error, ProfileError) or not (live.is_file() or Path(setting).suffix):
            return None  # no shipped profile of that name: the setting's mistake, not an edit
        text = str(error).replace(str(copy / live.name), "").strip(" :")
        problems = [line.strip() for line in text.splitlines()]
        problem, line = problems[0], None
        if problem == "has problems:" and len(problems) > 1:
            problems = problems[1:]
            problem = problems[0]
        elif found := _TOML_LINE.search(problem):
            line, problem = int(found[1]), problem.replace(found[0], "").strip()
        problem = problem.replace(": Value error, ", ": ")  # pydantic's words, not ours
        if problem.startswith("is not valid TOML: "):
            problem = "it is not valid TOML: " + problem.removeprefix("is not valid TOML: ")
        if problem.startswith("The profile file") and "does not exist" in problem:
            problem = "the file does not exist"
        return Mistake(
            what="profile",
            file=live,
            line=line,
            problem=problem,
            check=PROFILE_CHECK,
            digest=digest,
            more=len(problems) - 1,
        )

    return Source("profile", lambda: [live], load, mistake)
