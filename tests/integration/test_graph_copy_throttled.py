"""A throttled copy reaches the outbox as a retryable error, not a lost monitor URL."""

from __future__ import annotations

import asyncio
import io

import docx
import httpx
import pytest

from comms_assistant.adapters.graph import build_graph_adapters
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant
from comms_assistant.service.ports import DeliveryError


@pytest.mark.parametrize("status", [429, 503])
def test_a_throttled_copy_is_retried_by_the_outbox_and_then_lands_once(
    sandbox: SandboxTenant, tmp_path, status: int
) -> None:
    rule = {"method": "POST", "path": "/copy$", "status": status, "retry_after": 7, "times": 1}
    httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=[rule]).raise_for_status()

    async def main() -> None:
        adapters = build_graph_adapters(
            Settings(home=tmp_path), sandbox.graph_url, sandbox.token_url
        )
        try:
            document = io.BytesIO()
            docx.Document().save(document)
            await adapters.documents.upload("Templates", "t.docx", document.getvalue())
            with pytest.raises(DeliveryError) as error:
                await adapters.documents.copy("Templates/t.docx", "Incident reports", "x.docx")
            assert error.value.retryable and error.value.retry_after == 7
            assert await adapters.documents.get_by_path("Incident reports/x.docx") is None
            item = await adapters.documents.copy("Templates/t.docx", "Incident reports", "x.docx")
            assert item.name == "x.docx"
        finally:
            await adapters.aclose()

    asyncio.run(main())
    copies = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/copy")]
    assert [r.status for r in copies] == [status, 202], "the SDK itself did not retry the POST"
