"""`comms-assistant check-text` and the glossary it loads from beside the contacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comms_assistant.adapters.glossary import GlossaryError, load_glossary
from comms_assistant.entrypoints.cli import app

runner = CliRunner()


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    (tmp_path / "services.csv").write_text("key,name,owners\nhelp,Helpdesk Hub,\n")
    (tmp_path / "glossary.csv").write_text(
        "\ufeffterm,type,suggestion\nCQC,allow,\nHydra,jargon,the booking system\n"
        "BAU,avoid,normal work; as usual\n",
        encoding="utf-8",
    )
    return tmp_path


def test_the_glossary_loads_terms_and_service_names(contacts: Path) -> None:
    glossary = load_glossary(contacts)
    assert glossary.allowed == ("Helpdesk Hub", "CQC")
    assert dict(glossary.jargon) == {"Hydra": "the booking system"}
    assert dict(glossary.avoid) == {"BAU": "normal work; as usual"}


def test_a_folder_without_a_glossary_gives_service_names_only(tmp_path: Path) -> None:
    (tmp_path / "services.csv").write_text("key,name,owners\napply,Apply,\n")
    assert load_glossary(tmp_path).allowed == ("Apply",)


def test_every_glossary_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "glossary.csv").write_text("term,type,suggestion\n,allow,\nX,banned,\n")
    with pytest.raises(GlossaryError) as error:
        load_glossary(tmp_path)
    assert "line 2: the term is empty" in str(error.value)
    assert 'line 3: type "banned" is not one of: allow, avoid, jargon' in str(error.value)


def test_clean_text_exits_0(tmp_path: Path) -> None:
    message = tmp_path / "update.txt"
    message.write_text("Candidates cannot send applications. Their drafts are safe.\n")
    result = runner.invoke(app, ["check-text", str(message)])
    assert result.exit_code == 0, result.output
    assert "no plain English problems" in result.output


def test_findings_exit_1_and_use_the_glossary(contacts: Path) -> None:
    text = "Hydra is down and the CQC has latency problems. It is BAU."
    result = runner.invoke(app, ["check-text", "-", "--glossary", str(contacts)], input=text)
    assert result.exit_code == 1
    assert 'Try "The booking system".' in result.output  # as it would stand, first
    assert "CQC" not in result.output.split("check before you send.")[1].split("Hydra")[0]
    # "Hydra is down" names a service people use and says it is not working: the impact.
    assert "Impact first" not in result.output


def test_json_lists_findings_with_offsets(contacts: Path) -> None:
    text = "People cannot pay because of high latency."
    args = ["check-text", "-", "--json", "--glossary", str(contacts)]
    result = runner.invoke(app, args, input=text)
    assert result.exit_code == 1
    report = json.loads(result.output)
    [finding] = report["findings"]
    assert (finding["rule"], finding["start"], finding["end"]) == ("jargon", 29, 41)
    assert text[finding["start"] : finding["end"]] == "high latency"


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["check-text", "/no/such/file.txt"], None, "There is no file"),
        (["check-text", "-"], "   \n", "no text to check"),
        (["check-text", "-"], b"\xff\xfe bad", "not UTF-8"),
        (["check-text", "-", "--kind", "memo"], "Hello.", '--kind "memo"'),
    ],
)
def test_bad_input_exits_2(args, stdin, says) -> None:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 2
    assert says in result.output


def test_fix_prints_the_text_that_would_be_sent_checked_again(tmp_path: Path) -> None:
    text = "Users see high latency. We are aware of an issue."
    result = runner.invoke(app, ["check-text", "-", "--fix"], input=text)
    assert result.exit_code == 1  # "high latency": readers may not understand it
    report, fixed = result.output.split("With the suggested words:\n")
    assert "Readers may not understand this" in report and "Advice" in report
    assert fixed.startswith("Users see long delays. We are aware of a problem.\n")
    assert "Checked again: This reads well" in fixed
    data = json.loads(runner.invoke(app, ["check-text", "-", "--fix", "--json"], input=text).output)
    assert data["fixed"] == "Users see long delays. We are aware of a problem."
    assert data["holds"] and data["fixed_report"]["clean"]


def test_advice_alone_exits_0_and_is_still_shown() -> None:
    result = runner.invoke(app, ["check-text", "-", "--kind", "text"], input="We fixed the issue.")
    assert result.exit_code == 0
    assert "Advice (it does not hold a message back):" in result.output


def test_input_over_a_megabyte_is_refused_naming_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("People can pay. " * 70_000)  # 1.1 MB
    result = runner.invoke(app, ["check-text", str(big)])
    assert result.exit_code == 2
    assert "over 1,000,000 bytes (1 MB)" in result.output
    piped = runner.invoke(app, ["check-text", "-"], input="x" * 1_000_001)
    assert piped.exit_code == 2 and "1 MB" in piped.output


def test_welsh_is_reported_once_and_given_no_reading_grade() -> None:
    welsh = "Mae'r gwasanaeth ar gael eto. Diolch am eich amynedd.\n"
    result = runner.invoke(app, ["check-text", "-"], input=welsh)
    assert result.exit_code == 0
    assert "This looks like Welsh; it was not checked." in result.output
    assert result.output.count("Welsh") == 2  # one finding: "like Welsh", "a Welsh speaker"
    assert "Reading grade" not in result.output
