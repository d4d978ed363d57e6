"""Every generated Word document's properties and language (comms_assistant/adapters/word/
properties.py): a whole incident through the in-memory world, each document opened as Word would
show it in File > Info."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from world import World
from world_build import build_world

from comms_assistant.adapters.word.properties import set_language

ROOT = Path(__file__).resolve().parents[2]
NAME = "2026-11-23 INC-2026-0001 Apply for teacher training is down"
REPORT = f"Incident reports/{NAME}.docx"
REVIEW = f"Incident reports/{NAME} - incident review.docx"
MAJOR = f"Incident reports/{NAME} - major incident report.docx"
OPEN_P1 = (
    "open Apply for teacher training is down p1 impact: No candidate can submit an application "
    "services: apply"
)
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def properties(document: bytes) -> docx.opc.coreprops.CoreProperties:
    return docx.Document(io.BytesIO(document)).core_properties


def default_language(document: bytes) -> str | None:
    """The language Word checks spelling in, where nothing more specific sets one."""
    styles = docx.Document(io.BytesIO(document)).styles.element
    found = styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    return found[0] if found else None


def style_languages(document: bytes) -> set[str]:
    styles = docx.Document(io.BytesIO(document)).styles.element
    return set(styles.xpath(".//w:lang/@w:val"))


def publish_major_template(world: World) -> None:
    name = world.app.settings.major_incident_template
    world.documents.put(f"Templates/{name}", (world.app.templates_dir / "word" / name).read_bytes())


def at(minutes: int) -> datetime:
    return START.replace(minute=minutes)


def test_each_document_is_titled_dated_and_written_by_the_mailbox(world: World) -> None:
    publish_major_template(world)
    world.run(OPEN_P1)
    world.deliver()
    made = properties(world.documents.content(REPORT))
    assert made.created == made.modified == at(0)

    # Someone adds keywords in Word: they are theirs, and stay.
    edited = docx.Document(io.BytesIO(world.documents.content(REPORT)))
    edited.core_properties.keywords = "apply, outage"
    out = io.BytesIO()
    edited.save(out)
    world.documents.put(REPORT, out.getvalue())

    world.clock.advance(minutes=20)
    world.run("log Failed over to the standby database")
    world.deliver()
    world.clock.advance(minutes=20)
    world.run("close Restored the connection to the applications database")
    world.deliver()
    world.clock.advance(minutes=10)
    world.run("review")
    world.deliver()

    expected = {REPORT: at(0), MAJOR: at(40), REVIEW: at(50)}
    for path, created in expected.items():
        document = world.documents.content(path)
        props = properties(document)
        assert props.title == path.removeprefix("Incident reports/").removesuffix(".docx")
        assert props.subject == "INC-2026-0001"
        assert props.author == props.last_modified_by == "Incident communications"
        assert props.created == created, path
        # The template's description of itself does not follow it into the documents.
        assert (props.comments, props.category) == ("", "")
        assert default_language(document) == "en-GB"
        assert "en-US" not in style_languages(document)
    report = properties(world.documents.content(REPORT))
    assert report.keywords == "apply, outage"
    assert report.modified >= at(40)  # refreshed at closing, its creation kept
    # The lessons copied in at the review moved the Major Incident report's time on.
    assert properties(world.documents.content(MAJOR)).modified == at(50)
    assert properties(world.documents.content(REVIEW)).modified == at(50)
    assert properties(world.documents.content(REVIEW)).keywords == ""


def test_the_author_is_the_organisations_mailbox_name(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", START, mailbox_name="DfE Incident Management")
    world.run(OPEN_P1)
    world.deliver()
    props = properties(world.documents.content(REPORT))
    assert props.author == props.last_modified_by == "DfE Incident Management"


@pytest.mark.parametrize(
    ("template_sets", "document_gets"),
    [
        (None, "en-GB"),  # nothing set: Word would fall back on its own language
        ("en-US", "en-GB"),  # python-docx's default, and the templates' before: not a choice
        ("cy-GB", "cy-GB"),  # Welsh: the organisation chose it
    ],
)
def test_an_organisations_own_template_gets_uk_english_unless_it_chose(
    world: World, template_sets: str | None, document_gets: str
) -> None:
    path = f"Templates/{world.app.settings.report_template}"
    template = docx.Document(io.BytesIO(world.documents.content(path)))
    styles = template.styles.element
    for lang in styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.getparent().remove(lang)
    if template_sets is not None:
        rpr = styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr")[0]
        rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:val"): template_sets}))
    # A style of its own in US English (Word adds these): UK English in the document.
    template.styles["Heading 1"].element.get_or_add_rPr().append(
        styles.makeelement(qn("w:lang"), {qn("w:val"): "en-US"})
    )
    out = io.BytesIO()
    template.save(out)
    world.documents.put(path, out.getvalue())

    world.run(OPEN_P1)
    world.deliver()
    report = world.documents.content(REPORT)
    assert default_language(report) == document_gets
    assert style_languages(report) == {document_gets, "en-GB"}


def test_a_template_with_no_style_defaults_gets_them() -> None:
    document = docx.Document()
    styles = document.styles.element
    for defaults in styles.xpath("./w:docDefaults"):
        styles.remove(defaults)
    set_language(document)
    out = io.BytesIO()
    document.save(out)
    assert default_language(out.getvalue()) == "en-GB"
    assert styles[0].tag == qn("w:docDefaults")  # where the schema wants it


@pytest.mark.parametrize("name", ["Incident report", "Incident review", "Major incident report"])
def test_the_shipped_templates_are_in_uk_english(name: str) -> None:
    template = (ROOT / "templates" / "word" / f"{name} template.docx").read_bytes()
    assert default_language(template) == "en-GB"
    assert style_languages(template) == {"en-GB"}
