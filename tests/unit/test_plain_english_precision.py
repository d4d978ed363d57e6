"""What holds a message back and what is only advice, and the findings real updates showed to
be wrong or missing (issue 18): each case here was reported wrongly, or missed, before."""

from __future__ import annotations

import pytest

from comms_assistant.domain.plain_english import Rule, check, format_findings


def rules_of(text: str, kind: str = "text") -> list[Rule]:
    return [f.rule for f in check(text, kind=kind).findings]


def texts_of(text: str, rule: Rule, kind: str = "text") -> list[str]:
    return [f.text for f in check(text, kind=kind).by_rule(rule)]


def test_only_words_readers_cannot_read_hold_a_message_back() -> None:
    advice = check("We are fixing the issue. We can't say when yet.", kind="text")
    assert advice.findings and not advice.holds and not advice.blocking
    blocking = check("The DNS failover broke it.", kind="text")
    assert blocking.holds and {f.rule for f in blocking.blocking} == {Rule.ACRONYM, Rule.JARGON}
    assert all(f.rule.blocking for f in blocking.blocking)
    assert not Rule.PASSIVE_VOICE.blocking and Rule.IMPACT_FIRST.blocking


def test_the_reply_says_which_findings_hold_a_message_and_which_are_advice() -> None:
    report = check("The DNS failover broke it. We are fixing the issue.", kind="text")
    reply = format_findings(report)
    holds, advice = reply.split("Advice (it does not hold a message back):")
    assert "Readers may not understand this (it holds a message back" in holds
    assert '"DNS"' in holds and '"issue"' not in holds
    assert '"issue"' in advice and "DNS" not in advice


@pytest.mark.parametrize(
    "text",
    [
        "Some payments are stuck. Your drafts are saved. Sign-in is back.",  # states
        "The problem has been resolved. Service has been restored. It has been fixed.",
        "The form was broken by a change.",  # one passive sentence is never "1 of 1"
    ],
)
def test_passive_voice_is_not_reported_for_states_outcomes_or_a_single_sentence(
    text: str,
) -> None:
    assert Rule.PASSIVE_VOICE not in rules_of(text)


def test_a_sentence_that_is_the_impact_is_not_told_to_lead_with_impact() -> None:
    text = "Some people saw other people's names on the home page for a few minutes."
    assert check(text).clean
    assert Rule.IMPACT_FIRST in rules_of("A change to the database failed at 9am.", "update")


@pytest.mark.parametrize(
    "text",
    [
        "What is happening\n- People cannot sign in\n- People cannot pay\n- Drafts are safe\n"
        "- Emails are late\n- Texts are late\n- Letters are late",
        "1. People cannot sign in.\n2. People cannot pay.\n3. Drafts are safe.\n"
        "4. Emails are late.\n5. Texts are late.\n6. Letters are late.",
        "Summary: People cannot sign in.\nImpact: Everyone.\nCause: Unknown.\nStatus: Fixing.\n"
        "Next update: 3pm.\nContact: The helpdesk.",
        "People cannot sign in.\nPeople cannot pay.\nDrafts are safe.\nEmails are late.\n"
        "Texts are late.\nLetters are late.",
    ],
)
def test_lists_and_one_field_a_line_are_not_long_paragraphs(text: str) -> None:
    assert Rule.PARAGRAPH_LENGTH not in rules_of(text)


def test_prose_wrapped_at_a_width_is_still_one_paragraph() -> None:
    line = "People cannot sign in to the service today and we are working on it now."
    wrapped = "\n".join([line] * 6)
    assert Rule.PARAGRAPH_LENGTH in rules_of(wrapped)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We expect a fix soon (ETA Feb 22).", []),  # ETA: widely known
        ("The CDN (ETA Feb 22) is slow.", ["CDN"]),  # brackets that do not spell it out
        ("The Content Delivery Network (CDN) is slow.", []),
        ("It fails at 17:00 UTC every day.", []),  # beside a time, readers know it is one
        ("Times are in PST.", ["PST"]),
        ("Both I/O and HA are down.", ["I/O", "HA"]),
    ],
)
def test_acronyms_and_codes(text: str, flagged: list[str]) -> None:
    assert texts_of(text, Rule.ACRONYM) == flagged


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Machines in us-central1-b are down.", "us-central1-b"),
        ("Machines in eu-west-2a are down.", "eu-west-2a"),
        ("We moved to 1.20.9-gke.2100 today.", "1.20.9-gke.2100"),
        ("We moved to v2.3.1 today.", "v2.3.1"),
        ("The NullPointerException stopped it.", "NullPointerException"),
        ("A TimeoutError stopped it.", "TimeoutError"),
        ("Calls to db-prod-03.internal failed.", "db-prod-03.internal"),
        ("Browsers showed ERR_CONNECTION_RESET today.", "ERR_CONNECTION_RESET"),
        ("Windows showed 0x80070005 today.", "0x80070005"),
        ("The com.example.Foo class failed.", "com.example.Foo"),
        ("The control plane was slow.", "control plane"),
        ("Some VM instances restarted.", "VM instances"),
    ],
)
def test_codes_and_names_from_code_are_jargon(text: str, code: str) -> None:
    report = check(text, kind="text")
    assert any(code in f.text or f.text in code for f in report.blocking), report.findings


@pytest.mark.parametrize(
    "text",
    [
        "In some instances people had to sign in twice.",
        "We met on 22.02.2026 at 10.30am.",
        "Rowan McDonald says SharePoint and OneDrive work.",
        "The accellerated plan went well.",  # a slip of the keyboard, not jargon
        "The buildsystem is fine.",  # two everyday words run together
    ],
)
def test_everyday_words_dates_names_and_typos_are_not_jargon(text: str) -> None:
    assert Rule.JARGON not in rules_of(text), check(text, kind="text").findings


WELSH = (
    "Mae'r gwasanaeth ar gael eto. Diolch am eich amynedd tra roedden ni'n gweithio arno. "
    "Bydd y diweddariad nesaf am 3pm."
)


def test_welsh_is_reported_once_and_not_word_by_word() -> None:
    report = check(WELSH, kind="text")
    assert [f.rule for f in report.findings] == [Rule.LANGUAGE]
    assert report.findings[0].message == "This looks like Welsh; it was not checked."
    assert not report.holds
    assert "This looks like Welsh; it was not checked." in format_findings(report)


def test_a_bilingual_message_has_its_english_checked_and_its_welsh_skipped() -> None:
    text = "Some people see high latency.\n\n" + WELSH
    report = check(text, kind="text")
    assert [(f.rule, f.text) for f in report.findings][0] == (Rule.JARGON, "high latency")
    assert [f.rule for f in report.findings].count(Rule.LANGUAGE) == 1
    assert not [f for f in report.findings if f.start >= text.index("Mae") and f.rule.blocking]
