"""The plain-English checker's rules, its replies, and its speed."""

from __future__ import annotations

import time

import pytest

from comms_assistant.domain.plain_english import (
    Glossary,
    Kind,
    Rule,
    apply_suggestions,
    check,
    format_findings,
)
from comms_assistant.domain.plain_english.text import grade, paragraphs

PLAIN = "Candidates cannot send applications. They can still sign in and save their drafts."


def rules_of(text: str, **options) -> list[Rule]:
    return [f.rule for f in check(text, **options).findings]


def test_a_plain_update_is_clean() -> None:
    report = check(PLAIN)
    assert report.clean, format_findings(report)
    assert report.sentences == 2 and report.words == 13
    assert format_findings(report).startswith("This reads well")


@pytest.mark.parametrize(
    ("text", "grade_wanted"),
    [
        # The figures measured in PLAIN-ENGLISH.md ("Why a score alone fails").
        ("End users are likely to experience intermittent interruption", 15.6),
        ("One of the availability zones is down", 7.4),
        ("Some people may not be able to sign in from time to time", 3.1),
    ],
)
def test_the_grade_is_flesch_kincaid(text: str, grade_wanted: float) -> None:
    assert grade([s for p in paragraphs(text) for s in p.sentences]) == grade_wanted


def test_sentences_split_around_versions_and_abbreviations() -> None:
    text = "We released v2.3.1 at 10.30am, c. 75 mins ago. Dr. Jones agreed. It works."
    assert check(text, kind="text").sentences == 3


def test_jargon_is_found_with_a_plain_suggestion_and_offsets() -> None:
    text = "Some people see 5xx errors because of high latency on the API."
    report = check(text)
    jargon = {f.text: f for f in report.by_rule(Rule.JARGON)}
    assert set(jargon) == {"5xx errors", "high latency"}
    assert [f.text for f in report.by_rule(Rule.ACRONYM)] == ["API"]  # capitals: an acronym
    assert jargon["5xx errors"].suggestion == 'Try "error pages".'
    finding = jargon["high latency"]
    assert text[finding.start : finding.end] == "high latency"
    assert finding.replacement == "long delays"


def test_rare_words_count_as_jargon_but_names_and_everyday_words_do_not() -> None:
    assert rules_of("The microservice crashed, so some people cannot pay.") == [Rule.JARGON]
    assert check("Rowan Hale says payslips and timesheets are safe.", kind="text").clean


def test_words_to_avoid_come_from_the_govuk_and_plainlanguage_lists() -> None:
    report = check("Some people cannot pay. We will ensure we utilise a robust fix.", kind="text")
    avoid = {f.text: f for f in report.by_rule(Rule.WORDS_TO_AVOID)}
    assert set(avoid) == {"ensure", "utilise", "robust"}
    assert "GOV.UK" in avoid["ensure"].message
    assert avoid["utilise"].replacement == "use"


def test_acronyms_need_spelling_out_once_unless_common() -> None:
    report = check("The NHS and the CQC know. The CQC agrees.", kind="text")
    assert [(f.rule, f.text) for f in report.findings] == [(Rule.ACRONYM, "CQC")]
    assert check("The Care Quality Commission (CQC) knows. The CQC agrees.", kind="text").clean
    assert check("We can NOT send emails.", kind="text").clean  # capitals for emphasis


def test_negative_contractions_are_spelled_out() -> None:
    report = check("People can't pay and won't get receipts. Don't worry.", kind="text")
    found = [(f.text, f.replacement) for f in report.by_rule(Rule.CONTRACTION)]
    assert found == [("can't", "cannot"), ("won't", "will not"), ("Don't", "Do not")]


def test_passive_voice_is_flagged_only_as_a_habit() -> None:
    one_in_five = "Your draft is saved. You can sign in. You can pay. You can print. You can go."
    assert check(one_in_five, kind="text").clean
    two_in_four = "Your form was sent. The form was broken by a change. You can pay. We are sorry."
    passive = check(two_in_four, kind="text").by_rule(Rule.PASSIVE_VOICE)
    assert [f.text for f in passive] == ["was sent", "was broken"]
    # One passive sentence is never a habit, however short the message.
    assert check("The form was broken by a change.", kind="text").clean


def test_long_sentences_and_paragraphs() -> None:
    long = " ".join(["People can sign in"] * 7) + "."
    assert Rule.SENTENCE_LENGTH in rules_of(long, kind="text")
    six = " ".join(["People can pay."] * 6)
    assert rules_of(six, kind="text") == [Rule.PARAGRAPH_LENGTH]
    assert check("\n\n".join(["People can pay."] * 6), kind="text").clean


def test_an_update_that_leads_with_the_cause_is_flagged() -> None:
    assert check(PLAIN).clean
    # GOV.UK: the first sentence says who is affected; a cause first is flagged even when the
    # impact follows it.
    report = check("The database failed at 9am. Candidates cannot send applications.")
    assert report.by_rule(Rule.IMPACT_FIRST)
    cause = check("A change to the database failed at 9am. We are fixing it.")
    finding = cause.by_rule(Rule.IMPACT_FIRST)[0]
    assert finding.text == "A change to the database failed at 9am."
    assert "went wrong" in finding.message
    assert (
        check("We are looking into it.")
        .by_rule(Rule.IMPACT_FIRST)[0]
        .message.startswith("The opening does not say")
    )
    # A resolved message and a review are not updates: they need not open with impact.
    assert check("We are looking into it.", kind=Kind.RESOLVED).clean


def test_hard_text_is_flagged_on_its_grade() -> None:
    text = (
        "Organisational representatives experiencing unanticipated authentication "
        "irregularities should communicate comprehensively with departmental administrators. "
        "Comprehensive documentation regarding institutional responsibilities is available "
        "electronically through departmental administrative correspondence. Representatives "
        "requiring additional information should contact their organisational administrator."
    )
    report = check(text, kind="text")
    assert report.grade > 9
    assert Rule.READABILITY in [f.rule for f in report.findings]


def test_a_glossary_allows_terms_and_adds_its_own_words_to_avoid() -> None:
    text = "Ofsted staff cannot use Hydra. Work is BAU."
    glossary = Glossary.of(["Ofsted"], avoid={"BAU": "normal"}, jargon={"Hydra": "the system"})
    report = check(text, kind="text", glossary=glossary)
    assert [(f.rule, f.text) for f in report.findings] == [
        (Rule.JARGON, "Hydra"),
        (Rule.WORDS_TO_AVOID, "BAU"),
    ]
    assert report.holds and [f.text for f in report.advice] == ["BAU"]
    assert apply_suggestions(text, report) == "Ofsted staff cannot use the system. Work is normal."
    assert [f.text for f in check(text, kind="text").findings] == ["BAU"]  # unexplained acronym


def test_web_addresses_are_not_prose() -> None:
    text = "People can read more at https://status.example.org/incidents/latency_report today."
    assert check(text).clean


def test_apply_suggestions_makes_the_drop_in_replacements_only() -> None:
    text = "People can't pay. We will utilise the latency data in order to fix it."
    report = check(text, kind="text")
    assert apply_suggestions(text, report) == (
        "People cannot pay. We will use the delay data to fix it."
    )
    reply = format_findings(report)
    assert reply.startswith(f"{len(report.findings)} things to check before you send.")
    assert 'Try "delay".' in reply


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        check("Hello.", kind="memo")


def test_the_checker_is_deterministic_and_fast() -> None:
    messages = [
        f"Candidates cannot send applications ({n}). The DNS failover caused 5xx errors. "
        "We rolled back the deployment and are monitoring latency. Next update by 3pm."
        for n in range(400)
    ]
    check(messages[0])  # loads the word lists and wordfreq's data once
    started = time.perf_counter()
    reports = [check(m) for m in messages]
    rate = len(messages) / (time.perf_counter() - started)
    assert rate > 1000, f"{rate:.0f} messages a second"
    assert reports[1].to_dict()["findings"] == check(messages[1]).to_dict()["findings"]
