"""Turn what msgraph-sdk, kiota, httpx and azure-identity raise into the port's error classes.

The dispatcher only understands `DeliveryError` (retry later or give up), `PreconditionFailed`
(re-read and re-apply), `Locked` (keep pending) and `NotFound`. Everything else is translated
here, in one place, so the adapters never leak SDK types upwards.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from comms_assistant.adapters.metrics.counters import GRAPH, saw_status
from comms_assistant.service.ports import DeliveryError, Locked, NotFound, PreconditionFailed

# 408 and 429 are "come back later"; every 5xx is treated as transient (Graph's own guidance).
_RETRYABLE_4XX = {408, 429}


def retry_after_seconds(headers: Mapping[str, str] | Any | None) -> float | None:
    """Retry-After as seconds: Graph sends delta-seconds, HTTP also allows an HTTP-date."""
    if not headers:
        return None
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
    except AttributeError:
        return None
    if not value:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _graph_code_and_message(exc: BaseException) -> tuple[str, str]:
    """Graph's own error code and message, from an ODataError's body when it has one."""
    main = getattr(exc, "error", None)
    code = getattr(main, "code", None) or ""
    message = getattr(main, "message", None) or ""
    if not message:
        # APIError (no JSON body) carries kiota's own text; it never contains a token.
        message = getattr(exc, "message", None) or ""
    return str(code), str(message)


def from_status(
    status: int,
    *,
    action: str,
    code: str = "",
    message: str = "",
    headers: Mapping[str, str] | Any | None = None,
) -> DeliveryError:
    """The port error for an HTTP status, with a message a person can act on."""
    saw_status(GRAPH, status)
    detail = ": ".join(part for part in (code, message) if part) or "no error body"
    text = f"{action} failed: HTTP {status} ({detail})"
    if status == 412:
        return PreconditionFailed(text, retryable=True)
    if status == 423:
        return Locked(text, retryable=True, retry_after=retry_after_seconds(headers))
    if status == 404:
        return NotFound(text)
    if status in _RETRYABLE_4XX or status >= 500:
        return DeliveryError(text, retryable=True, retry_after=retry_after_seconds(headers))
    return DeliveryError(text, retryable=False)


def to_port_error(exc: BaseException, *, action: str) -> DeliveryError:
    """Map any exception raised while talking to Graph to the port's errors."""
    if isinstance(exc, DeliveryError):
        return exc
    # Imported here so that importing this module stays cheap (no msgraph / kiota at import).
    from kiota_abstractions.api_error import APIError

    if isinstance(exc, APIError):
        return _from_api_error(exc, action)
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        return from_status(response.status_code, action=action, headers=response.headers)
    found = _without_answer(exc, action)
    if found is None:
        raise exc
    return found


def _from_api_error(exc: Any, action: str) -> DeliveryError:
    status = exc.response_status_code
    code, message = _graph_code_and_message(exc)
    if status is None:
        return DeliveryError(f"{action} failed: {message or type(exc).__name__}")
    return from_status(
        int(status), action=action, code=code, message=message, headers=exc.response_headers
    )


def _without_answer(exc: BaseException, action: str) -> DeliveryError | None:
    """A failure before Graph answered (a timeout, the network, the token); None if unknown."""
    if isinstance(exc, httpx.TimeoutException):
        return DeliveryError(f"{action} failed: timed out ({type(exc).__name__})", retryable=True)
    if isinstance(exc, httpx.TransportError):
        return DeliveryError(f"{action} failed: network error ({type(exc).__name__})")

    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

    if isinstance(exc, ClientAuthenticationError):
        # Wrong secret, unknown app, missing consent: trying again will not help.
        return DeliveryError(
            f"{action} failed: could not get a token: {exc.message}", retryable=False
        )
    if isinstance(exc, ServiceRequestError):
        return DeliveryError(f"{action} failed: token endpoint unreachable", retryable=True)
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"{action} failed: timed out", retryable=True)
    return None


@contextmanager
def translated(action: str) -> Iterator[None]:
    """`with translated("send mail"): ...` re-raises Graph failures as port errors."""
    try:
        yield
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - to_port_error re-raises what it doesn't know
        raise to_port_error(exc, action=action) from exc
