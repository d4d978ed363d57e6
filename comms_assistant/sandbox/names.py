"""SharePoint Online's rules for file and folder names, enforced as Graph does (400)."""

from __future__ import annotations

import re

from comms_assistant.sandbox.odata import GraphError

MAX_PATH = 400
_INVALID_CHARS = re.compile(r'["*:<>?/\\|]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_RESERVED_EXACT = {".lock", "desktop.ini"}


def check_name(name: str) -> None:
    """Raise GraphError(400) if SharePoint would refuse `name` for a file or folder."""
    problem = name_problem(name)
    if problem:
        raise GraphError(400, "invalidRequest", f"Invalid name '{name}': {problem}.")


def name_problem(name: str) -> str | None:
    if not name:
        return "the name is empty"
    if _INVALID_CHARS.search(name):
        return 'names cannot contain " * : < > ? / \\ |'
    if name != name.strip(" "):
        return "names cannot begin or end with a space"
    if name.startswith("~$"):
        return "names cannot begin with ~$"
    if name.lower() in _RESERVED_EXACT or _RESERVED.match(name):
        return "the name is reserved"
    if "_vti_" in name.lower():
        return "names cannot contain _vti_"
    return None


def check_path_length(full_path: str) -> None:
    """SharePoint limits the decoded path (site, library, folders, file) to 400 characters."""
    if len(full_path) > MAX_PATH:
        raise GraphError(
            400,
            "invalidRequest",
            f"The path is {len(full_path)} characters long; SharePoint allows {MAX_PATH}.",
        )
