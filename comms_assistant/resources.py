"""Where the shipped templates and example contacts are, installed or in a checkout."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """The folder of a bundled resource set: "templates" or "contacts".

    An installed copy carries them as the data folder comms_assistant/bundled/<name>; code run
    from a checkout (python -m pytest puts the checkout first on sys.path) finds the top-level
    folder instead.
    """
    try:
        spec = find_spec(f"comms_assistant.bundled.{name}")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        # A folder without __init__.py is a namespace package: take its one real location.
        return Path(next(iter(spec.submodule_search_locations)))
    return CHECKOUT / name
