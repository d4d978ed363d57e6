"""Names SharePoint accepts, made from titles people type."""

from __future__ import annotations

import re
from datetime import date

from comms_assistant.domain.typed_text import plain_text

_FORBIDDEN = re.compile(r'["*:<>?/\\|#%\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d|desktop\.ini|\.lock)$", re.IGNORECASE)
MAX_TITLE = 80


def clean_title(title: str) -> str:
    """A title cut and cleaned to SharePoint's file-name rules (never empty)."""
    # Titles are cleaned when parsed; again here for any stored before that, or made elsewhere:
    # a right-to-left override in a file name disguises what the file is.
    cleaned = " ".join(_FORBIDDEN.sub(" ", plain_text(title)).split())
    cleaned = cleaned.replace("_vti_", "vti").lstrip("~$")
    if len(cleaned) > MAX_TITLE:
        cleaned = cleaned[:MAX_TITLE].rsplit(" ", 1)[0] or cleaned[:MAX_TITLE]
    cleaned = cleaned.strip(" .")
    if not cleaned or _RESERVED.match(cleaned):
        return "incident"
    return cleaned


def report_name(day: date, reference: str, title: str) -> str:
    return f"{day.isoformat()} {reference} {clean_title(title)}.docx"


def review_name(day: date, reference: str, title: str) -> str:
    return f"{day.isoformat()} {reference} {clean_title(title)} - incident review.docx"


def filing_folder(security: bool, reports: str, security_reports: str) -> str:
    """The library folder an incident's Word documents are filed in.

    A security incident's go in their own folder, whose permissions an administrator limits to
    the security team: its messages reach only them, so its documents must not sit where
    everyone who reads the other incidents' reports can open them.
    """
    return security_reports if security else reports
