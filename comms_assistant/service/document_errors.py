"""Why a document could not be filed, and what an administrator does about it. Not retried:
nothing changes until someone acts, then 'comms-assistant deliver --failed' files it."""

from __future__ import annotations

from comms_assistant.domain.incident import Incident
from comms_assistant.service.ports import DeliveryError


def missing_template(template: str) -> DeliveryError:
    return DeliveryError(
        f"The template {template} is missing from SharePoint: "
        "run 'comms-assistant templates publish'.",
        retryable=False,
    )


def missing_folder(folder: str, incident: Incident) -> DeliveryError:
    """Not retried: nothing changes until an administrator makes the folder."""
    what = "security incidents' documents" if incident.security else "incident documents"
    fix = (
        "create it and limit its permissions to the security team, then"
        if incident.security
        else "create it, then"
    )
    return DeliveryError(
        f"The folder {folder!r}, where {what} are filed, is missing from the SharePoint "
        f"library, so {incident.reference}'s document was not filed: {fix} run "
        "'comms-assistant deliver --failed'.",
        retryable=False,
    )
