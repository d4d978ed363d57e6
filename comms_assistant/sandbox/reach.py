"""Whether a sandbox tenant named by `sandbox_url` is there, before anything talks to it.

Without this look a closed port surfaced as a sign-in failure (graph check advised checking
tenant_id and client_id) or as a traceback (run, worker, templates publish).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


class SandboxNotAnswering(Exception):
    """`sandbox_url` names a sandbox tenant that is not running; the message says what to do."""

    def __init__(self, base_url: str) -> None:
        port = urlsplit(base_url).port or 8765
        super().__init__(
            f"The sandbox tenant at {base_url} is not answering (the sandbox_url setting). "
            f"Start it in another window with `comms-assistant sandbox --port {port}`, or unset "
            "sandbox_url (COMMS_ASSISTANT_SANDBOX_URL or comms-assistant.toml) so that each "
            "command starts a sandbox of its own."
        )


def require_answering(base_url: str, *, timeout: float = 2.0) -> None:
    """Raise SandboxNotAnswering unless something accepts connections at `base_url`."""
    parts = urlsplit(base_url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout):
            return
    except OSError:
        raise SandboxNotAnswering(base_url) from None
