"""What every status page over HTTP shares (a base per kind of outside system, as Netflix
Dispatch has one per plugin type): one httpx client, each request within the page's rate limit
(service/status_page_port.py's RequestPace), the fence before a request that cannot be taken
back (service/fencing.py), and the page's answers turned into `DeliveryError`s that say whether
to try again and when.

An error names the page and what was being done, with the page's own message cut short; never
the key, the token or the webhook's address.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

import httpx

from comms_assistant.adapters.metrics.counters import STATUS_PAGE, saw_status
from comms_assistant.service import fencing
from comms_assistant.service.ports import DeliveryError
from comms_assistant.service.status_page_port import PublicPost, RequestPace

TIMEOUT = 20.0
# 420: Statuspage's "enhance your calm" (its rate limit, with no Retry-After); 425: too early.
RETRYABLE = frozenset({408, 420, 425, 429})
_SHOWN = 200


class HttpStatusPage(ABC):
    """A status page reached over HTTP (service/status_page_port.py's StatusPage); subclasses
    say what each post does there."""

    name = "the status page"
    # Said after a refusal of the key or token, with the setting to fix.
    credential_fix = "check the key"

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        pace: RequestPace | None = None,
        timeout: float = TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.pace = pace
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    @abstractmethod
    async def publish(self, post: PublicPost) -> dict[str, Any]: ...

    @abstractmethod
    async def update(self, post: PublicPost) -> dict[str, Any]: ...

    @abstractmethod
    async def resolve(self, post: PublicPost) -> dict[str, Any]: ...

    @abstractmethod
    async def unpublish(self, post: PublicPost) -> dict[str, Any]: ...

    async def call(
        self,
        method: str,
        path: str,
        action: str,
        *,
        write: bool = False,
        accept: tuple[int, ...] = (),
        **options: Any,
    ) -> httpx.Response:
        """One request, paced; `write`: it cannot be taken back, so the lease is checked just
        before it goes. A refusal (other than the statuses in `accept`) or a failure to reach
        the page is a DeliveryError."""
        async with self._paced():
            if write:
                fencing.before_sending()
            try:
                response = await self.http.request(method, path, **options)
            except httpx.TimeoutException:
                raise DeliveryError(f"{action} on {self.name}: timed out") from None
            except httpx.HTTPError as error:
                # str(error) may hold the address: the type says enough.
                raise DeliveryError(f"{action} on {self.name}: {type(error).__name__}") from None
        if response.status_code >= 400 and response.status_code not in accept:
            raise self.error(action, response)
        return response

    def _paced(self) -> AbstractAsyncContextManager[None]:
        return self.pace.request() if self.pace is not None else nullcontext()

    def error(self, action: str, response: httpx.Response) -> DeliveryError:
        status = response.status_code
        saw_status(STATUS_PAGE, status)
        said = f"{action} on {self.name}: HTTP {status} {_message(response)}".rstrip()
        wait = retry_after(response)
        if status in RETRYABLE or status >= 500 or (status == 403 and _rate_limited(response)):
            return DeliveryError(said, retryable=True, retry_after=wait)
        hint = {
            401: f"the key or token was refused: {self.credential_fix}",
            403: f"the key or token may not do this: {self.credential_fix}",
            404: "not found: check the page, repository and mapping (comms-assistant "
            "statuspage check)",
        }.get(status)
        return DeliveryError(f"{said} ({hint})" if hint else said, retryable=False)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the page asked us to wait: Retry-After, or GitHub's reset time when its
    remaining count is 0; None when it said nothing."""
    header = response.headers.get("retry-after", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            return None
    if response.headers.get("x-ratelimit-remaining") == "0":
        try:
            return max(1.0, float(response.headers["x-ratelimit-reset"]) - time.time())
        except (KeyError, ValueError):
            return None
    return None


def _rate_limited(response: httpx.Response) -> bool:
    # GitHub's limits answer 403 too: with a retry-after, or with nothing left.
    headers = response.headers
    return "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") or body.get("error") if isinstance(body, dict) else None
    text = " ".join(str(message or "").split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
