"""The status page's templates and adapters' small parts: the public words pass the
plain-English checker, the page's answers become errors that say whether to retry, and the
webhook's signature is the HMAC of the body."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import httpx
import pytest

from comms_assistant.adapters.glossary import load_glossary
from comms_assistant.adapters.status_pages.base import HttpStatusPage
from comms_assistant.adapters.status_pages.statuspage import StatuspagePage
from comms_assistant.adapters.status_pages.webhook import signature
from comms_assistant.adapters.status_pages.words import PublicWords
from comms_assistant.domain.plain_english import check, format_findings

SERVICES = ["Apply for teacher training"]


@pytest.mark.parametrize(
    ("template", "advice"),
    [
        ("update", "Save your answers and try again after 3pm"),
        ("update", "nothing"),
        ("holding", "Save your answers and try again after 3pm"),
        ("resolved", ""),
    ],
)
def test_the_public_templates_read_plainly(template: str, advice: str) -> None:
    words = PublicWords().body(
        template,
        happening="Candidates cannot submit applications. They can still sign in.",
        advice=advice,
        services=SERVICES,
    )
    kind = "update" if template == "update" else template  # the checker's own kinds
    report = check(words, kind=kind, glossary=load_glossary(None))
    assert report.clean, f"{words}\n\n{format_findings(report)}"


def test_the_templates_words_are_as_documented() -> None:
    words = PublicWords()
    made = words.body("update", happening="candidates cannot apply", advice="", services=[])
    assert made == "Candidates cannot apply."  # nobody said what to do: no heading
    assert words.body("update", happening="x", advice="nothing", services=[]).endswith(
        "You do not need to do anything."
    )
    assert words.body("resolved", happening="", advice="", services=["A", "B"]) == (
        "A and B are working normally again. This is fixed."
    )
    assert words.name([]) == "Problem with one of our services"
    with pytest.raises(ValueError, match="no status page template 'major'"):
        words.body("major", happening="", advice="", services=[])


def test_an_organisation_s_own_template_wins(tmp_path: Path) -> None:
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "name.txt").write_text("Service notice: {{ services | join(', ') }}")
    assert PublicWords(tmp_path).name(SERVICES) == "Service notice: Apply for teacher training"
    assert PublicWords(tmp_path).body("resolved", happening="", advice="", services=[]) == (
        "Everything is working normally again. This is fixed."
    )


def answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"message": "said by the page"}, headers=headers)


@pytest.fixture
def page() -> HttpStatusPage:
    return StatuspagePage("https://api.statuspage.io/v1", "p", "secret-key")


@pytest.mark.parametrize("status", [408, 420, 429, 500, 502, 503])
def test_limits_and_outages_are_tried_again(page: HttpStatusPage, status: int) -> None:
    error = page.error("update the incident", answer(status))
    assert error.retryable and error.retry_after is None
    assert f"update the incident on Statuspage: HTTP {status} said by the page" in str(error)


def test_retry_after_is_honoured(page: HttpStatusPage) -> None:
    assert page.error("x", answer(429, **{"Retry-After": "7"})).retry_after == 7.0
    # GitHub's secondary limit answers 403 with retry-after: a wait, not a refusal.
    limited = page.error("x", answer(403, **{"retry-after": "30"}))
    assert limited.retryable and limited.retry_after == 30.0


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (401, "COMMS_ASSISTANT_STATUSPAGE_API_KEY"),
        (403, "may not do this"),
        (404, "comms-assistant statuspage check"),
        (422, "said by the page"),
    ],
)
def test_refusals_are_not_tried_again_and_say_what_to_fix(
    page: HttpStatusPage, status: int, said: str
) -> None:
    error = page.error("create the incident", answer(status))
    assert not error.retryable and said in str(error)
    assert "secret-key" not in str(error)


def test_the_signature_is_the_hmac_of_the_body() -> None:
    body = b'{"event":"update"}'
    expected = hmac.new(b"shared", body, hashlib.sha256).hexdigest()
    assert signature("shared", body) == f"sha256={expected}"
    assert signature("other", body) != signature("shared", body)
