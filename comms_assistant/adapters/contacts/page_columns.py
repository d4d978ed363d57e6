"""services.csv's columns for the public status page: `public` (yes or no: whether the public
knows the service by its name), `statuspage_component` (the Statuspage component's id) and
`upptime_site` (the slug of the Upptime site). All optional: a file without them, or a blank
cell, means not public and not on the page."""

from __future__ import annotations

import re
from typing import Any

from comms_assistant.adapters.contacts import cells

PAGE_COLUMNS = ("public", "statuspage_component", "upptime_site")
_YES, _NO = ("yes", "y", "true"), ("", "no", "n", "false")
# Statuspage ids are letters and digits; Upptime slugs are lower-case words joined by hyphens.
_COMPONENT = re.compile(r"[A-Za-z0-9]{1,40}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")


def page_fields(row: dict[str, str], problem: cells.Report) -> dict[str, Any]:
    """The Service fields of those columns; a wrong cell is a problem naming it."""
    public = row.get("public", "").strip().lower()
    if public not in (*_YES, *_NO):
        problem(f'public "{public}" should be yes or no')
    component = row.get("statuspage_component", "").strip()
    if component and not _COMPONENT.fullmatch(component):
        problem(f'statuspage_component "{component}" is not a Statuspage component id')
    site = row.get("upptime_site", "").strip()
    if site and not _SLUG.fullmatch(site):
        problem(f'upptime_site "{site}" is not an Upptime site slug (lower case, hyphens)')
    return {"public": public in _YES, "statuspage_component": component, "upptime_site": site}
