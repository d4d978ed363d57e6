"""The sandbox tenant: a local stand-in for the parts of Microsoft 365 the product uses.

`SandboxTenant` is imported lazily: `comms_assistant.config` imports `sandbox.seed`, and the CLI
should not pay for aiohttp until a command actually starts the tenant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comms_assistant.sandbox.server import SandboxTenant

__all__ = ["SandboxTenant"]


def __getattr__(name: str) -> Any:
    if name == "SandboxTenant":
        from comms_assistant.sandbox.server import SandboxTenant

        return SandboxTenant
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
