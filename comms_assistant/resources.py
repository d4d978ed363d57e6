"""Where the shipped templates and example contacts are, installed or in a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """The folder of a bundled resource set: "templates" or "contacts".

    An installed copy carries them as the package comms_assistant.bundled.<name>; code run from
    a checkout (python -m pytest puts the checkout first on sys.path) finds the top-level folder.
    """
    try:
        return Path(str(files(f"comms_assistant.bundled.{name}")))
    except ModuleNotFoundError:
        return CHECKOUT / name
