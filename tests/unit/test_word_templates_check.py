"""`templates check`: what a template lacks, every problem at once, before an incident finds out;
and `templates publish` uploads nothing while a template cannot be used."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from comms_assistant.adapters.word.check import check_template
from comms_assistant.entrypoints.cli import app
from comms_assistant.resources import bundled

WORD = bundled("templates") / "word"
REPORT = WORD / "Incident report template.docx"


def without(path: Path, *tags: str) -> bytes:
    doc = Document(str(path))
    for tag in tags:
        for sdt in doc.element.body.xpath(f".//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']"):
            sdt.getparent().remove(sdt)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Incident report template.docx", "report"),
        ("Incident review template.docx", "review"),
        ("Major incident report template.docx", "major"),
    ],
)
def test_the_shipped_templates_have_everything(name: str, kind: str) -> None:
    findings = check_template((WORD / name).read_bytes(), kind)  # type: ignore[arg-type]
    assert findings.problems == () and findings.notes == ()


def test_every_missing_field_is_named_with_what_to_do() -> None:
    findings = check_template(without(REPORT, "ca:priority", "ca:timeline"), "report")
    assert not findings.ok
    assert len(findings.problems) == 2
    priority, timeline = findings.problems
    assert priority.startswith('No "Priority": the assistant looks for a content control tagged')
    assert "set its Tag to ca:priority" in priority
    assert 'a table of at least 3 columns inside a content control tagged "ca:timeline"' in timeline


def test_an_optional_part_is_a_note_saying_what_is_lost() -> None:
    findings = check_template(without(REPORT, "ca:latest", "ca:note"), "report")
    assert findings.ok
    latest, notes = findings.notes
    assert latest.startswith('No "Latest update"')
    assert latest.endswith("Without it page 1 does not show the latest update.")
    assert "leaves any instructions in the document" in notes


def test_a_file_that_is_not_word_is_said_so() -> None:
    findings = check_template(b"not a zip", "review")
    assert not findings.ok and "is not a Word document (.docx)" in findings.problems[0]


def test_the_command_checks_files_and_exits_1_on_a_problem(tmp_path: Path) -> None:
    broken = tmp_path / "Our report.docx"
    broken.write_bytes(without(REPORT, "ca:status"))
    result = CliRunner().invoke(app, ["templates", "check", str(broken), "--kind", "report"])
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "Our report.docx (the running incident report template) cannot be used yet.",
        '  \u2717 No "Status": the assistant looks for a content control tagged "ca:status". '
        "Copy it from the shipped template, or in Word (Developer tab) insert a content control "
        "there and set its Tag to ca:status.",
    ]
    unknown = CliRunner().invoke(app, ["templates", "check", str(broken)])
    assert unknown.exit_code == 1
    assert "say which template it is with --kind report, review, major or board" in unknown.output


def test_publish_uploads_nothing_while_a_template_is_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(bundled("templates"), templates)
    (templates / "word" / "Incident review template.docx").write_bytes(
        without(WORD / "Incident review template.docx", "ca:what_happened")
    )
    monkeypatch.setenv("COMMS_ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COMMS_ASSISTANT_TEMPLATES_DIR", str(templates))
    result = CliRunner().invoke(app, ["templates", "publish"])
    assert result.exit_code == 1
    assert "Incident review template.docx (the incident review template) cannot be used yet." in (
        result.output
    )
    assert "Nothing was uploaded: fix the templates first." in result.output
    assert not (tmp_path / "home" / "sandbox").exists()  # no tenant was even reached


def test_the_templates_readme_names_every_tag_the_check_looks_for() -> None:
    from comms_assistant.adapters.word.check import NEEDS
    from comms_assistant.adapters.word.finish import NOTE_TAG

    readme = (WORD / "README.md").read_text(encoding="utf-8")
    tags = {need.field.tag for needs in NEEDS.values() for need in needs} | {NOTE_TAG}
    assert [tag for tag in sorted(tags) if f"`{tag}`" not in readme] == []
