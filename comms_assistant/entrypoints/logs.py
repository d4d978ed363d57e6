"""How serve and worker write their log: text, or JSON lines (the log_format setting).

Every record is given the incident (its reference) and the delivery (its id) that the work under
way is about (service/log_context.py), so a JSON line about one carries `incident` and
`delivery` without any log call naming them. Log calls never pass secrets or tokens; nothing
here adds any.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from comms_assistant.config import Settings
from comms_assistant.service import log_context


class AboutFilter(logging.Filter):
    """Copies the incident and delivery under way onto each record (None where there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        incident, delivery = log_context.current()
        if getattr(record, "incident", None) is None:
            record.incident = incident
        if getattr(record, "delivery", None) is None:
            record.delivery = delivery
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, incident,
    delivery, and the traceback as `error` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "incident": getattr(record, "incident", None),
            "delivery": getattr(record, "delivery", None),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(settings: Settings, handlers: list[logging.Handler] | None = None) -> None:
    """Give the root logger's handlers (or `handlers`) the filter, and the JSON format when
    the settings ask for it."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if not any(isinstance(f, AboutFilter) for f in handler.filters):
            handler.addFilter(AboutFilter())
        if settings.log_format == "json":
            handler.setFormatter(JsonLines())
