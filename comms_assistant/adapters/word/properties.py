"""The document properties and proofing language of the incident's Word documents.

Stamped on every write of the running report, the review and the Major Incident report, so that
Word's File > Info, SharePoint's Title column and its search describe the document, not the
template it was made from (which say "Incident report template", created 1 January 2026):

- title: the file name without ".docx" ("2026-11-23 INC-2026-0001 Apply for teacher training is
  down"), what SharePoint shows and searches;
- subject: the incident's reference, so searching for it finds all of the incident's documents;
- author, and last modified by: the organisation's mailbox display name (the `mailbox_name`
  setting), as the assistant writes on the organisation's behalf; Word puts whoever saves the
  document next as last modified by;
- created: when the document was made, by the service clock (in UTC, the format's zone); later
  writes keep it. A document created before its incident was declared is still a copy of its
  template, dated as the template is, so it counts as made now: no record is needed of which
  write was the first, and a copy whose first write failed is still dated when it is next written;
- modified: the time of each write;
- keywords, comments and category: emptied when the document is made, since the template's are
  about the template. Whatever people write there afterwards is theirs and stays, as does an
  author they change.

Language: en-GB in the styles' defaults (`w:docDefaults`), so that Word checks the assistant's
text and people's against UK spelling. The shipped templates have it (layout.new_document),
and each generated document gets it when its template sets no language, or sets US English:
python-docx's default and that of the templates shipped before, which a UK organisation rarely
chose and which marks the assistant's own UK spellings wrong. Any other language a template sets
(Welsh, cy-GB, say) is the organisation's choice and is kept.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word.xml import clean, xpath
from comms_assistant.domain.incident import Incident
from comms_assistant.service.word_port import Stamp

LANGUAGE = "en-GB"
# The language a template "sets" when nobody chose one: none at all, or python-docx's.
_NOT_CHOSEN = ("", "en-US")
# What may follow w:lang inside w:rPr (ECMA-376 CT_RPr); it goes before the first of these.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_MAX_TEXT = 255  # the core properties' limit


def stamp_document(doc: Any, incident: Incident, stamp: Stamp | None) -> None:
    """Set the language and, given a stamp, the core properties of a python-docx Document."""
    set_language(doc)
    if stamp is None:
        return
    props = doc.core_properties
    at = stamp.at.astimezone(UTC)  # python-docx writes the figures as given, marked UTC
    author = clean(stamp.author)[:_MAX_TEXT]
    if _made_now(props, incident):
        props.created = at
        props.author = author
        props.keywords = props.comments = props.category = ""
    props.title = clean(stamp.name.removesuffix(".docx"))[:_MAX_TEXT]
    props.subject = incident.reference
    props.last_modified_by = author
    props.modified = at


def _made_now(props: Any, incident: Incident) -> bool:
    try:
        created = props.created
    except ValueError:  # a date python-docx cannot read: not one the assistant wrote
        return True
    # Core property times are whole seconds: compare with the declaration's second.
    return created is None or created < incident.declared_at.replace(microsecond=0)


def set_language(doc: Any) -> None:
    """en-GB as the default language of a python-docx Document, unless its styles chose
    another; styles that set US English themselves get en-GB too."""
    styles = doc.styles.element
    default = _default_language(styles)
    if default.get(qn("w:val"), "") in _NOT_CHOSEN:
        default.set(qn("w:val"), LANGUAGE)
    for lang in xpath(styles, "./w:style/w:rPr/w:lang[@w:val='en-US']"):
        lang.set(qn("w:val"), LANGUAGE)


def _default_language(styles: Any) -> Any:
    """`w:docDefaults/w:rPrDefault/w:rPr/w:lang`, made where missing."""
    defaults = _child(styles, "w:docDefaults", first=True)
    rpr = _child(_child(defaults, "w:rPrDefault", first=True), "w:rPr")
    found = xpath(rpr, "./w:lang")
    if found:
        return found[0]
    lang = OxmlElement("w:lang")
    later = [child for child in rpr if child.tag in {qn(tag) for tag in _AFTER_LANG}]
    if later:
        later[0].addprevious(lang)
    else:
        rpr.append(lang)
    return lang


def _child(parent: Any, tag: str, *, first: bool = False) -> Any:
    found = xpath(parent, f"./{tag}")
    if found:
        return found[0]
    child = OxmlElement(tag)
    if first:  # w:docDefaults leads w:styles, as w:rPrDefault leads w:docDefaults
        parent.insert(0, child)
    else:
        parent.append(child)
    return child
