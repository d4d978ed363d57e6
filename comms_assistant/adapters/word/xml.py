"""Content controls in WordprocessingML, at the level python-docx has no API for.

Raw lxml on python-docx's element tree: find by XPath, replace a control's content while keeping
its look, make new controls, read visible text. Pure and free of any incident knowledge.
"""

from __future__ import annotations

import re
from copy import deepcopy
from functools import lru_cache
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@lru_cache(maxsize=64)
def _compiled(expression: str) -> etree.XPath:
    return etree.XPath(expression, namespaces={"w": W_NS})


def xpath(element: Any, expression: str) -> list[Any]:
    """XPath with the `w:` prefix bound, whether or not python-docx knows the element's class
    (it binds prefixes only for elements it models, and not for `w:sdt`)."""
    return _compiled(expression)(element)


# XML 1.0 forbids these even escaped; lxml refuses them, so they are dropped, not encoded.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def set_control_text(sdt: Any, text: str) -> None:
    """Replace the control's content, keeping the look of its first run and paragraph."""
    content = sdt.find(qn("w:sdtContent"))
    if content is None:
        content = OxmlElement("w:sdtContent")
        sdt.append(content)
    for flag in xpath(sdt, "./w:sdtPr/w:showingPlcHdr"):
        flag.getparent().remove(flag)
    first_rpr = _first(xpath(content, ".//w:r/w:rPr"))
    if _is_block(sdt, content):
        first_ppr = _first(xpath(content, "./w:p/w:pPr"))
        _clear(content)
        for line in clean(text).split("\n") or [""]:
            p = OxmlElement("w:p")
            if first_ppr is not None:
                p.append(deepcopy(first_ppr))
            p.append(_run(line, first_rpr))
            content.append(p)
    else:
        _clear(content)
        # One line: a plain-text control inside a paragraph is single-line unless marked.
        content.append(_run(" ".join(clean(text).split()), first_rpr))


def element_text(element: Any) -> str:
    """Visible text of any element, paragraphs joined by newlines (python-docx's `.text`
    skips runs inside content controls, which is where every owned value lives)."""
    paragraphs = xpath(element, ".//w:p") or [element]
    return "\n".join("".join(_SHOWN[r.tag](r) for r in xpath(p, _RUN_TEXT)) for p in paragraphs)


_RUN_TEXT = ".//w:r/w:t | .//w:r/w:tab | .//w:r/w:br | .//w:r/w:cr"
_SHOWN = {
    qn("w:t"): lambda e: e.text or "",
    qn("w:tab"): lambda e: "\t",
    qn("w:br"): lambda e: "\n",
    qn("w:cr"): lambda e: "\n",
}


def make_control(
    tag: str, alias: str, text: str, *, lock: str | None, block: bool = False, plain: bool = True
) -> Any:
    """A new content control; `block` wraps a paragraph, otherwise it sits inside one."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    pr.append(OxmlElement("w:alias", {qn("w:val"): alias}))
    pr.append(OxmlElement("w:tag", {qn("w:val"): tag}))
    if lock:
        pr.append(OxmlElement("w:lock", {qn("w:val"): lock}))
    if plain:
        pr.append(OxmlElement("w:text"))
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    if block:
        p = OxmlElement("w:p")
        p.append(_run(text, None))
        content.append(p)
    else:
        content.append(_run(text, None))
    sdt.append(content)
    return sdt


def add_link(paragraphs: list[Any], text: str, r_id: str) -> bool:
    """Make the first `text` in `paragraphs` a link to the relationship `r_id` (the caller
    relates the address to the part); False when no single run holds it."""
    for run in (r for p in paragraphs for r in xpath(p, "./w:r")):
        texts = xpath(run, "./w:t")
        if len(texts) == 1 and text in (texts[0].text or ""):
            _link_in(run, text, r_id)
            return True
    return False


def _link_in(run: Any, text: str, r_id: str) -> None:
    """Split `run` around `text`, which becomes a link in the run's look."""
    rpr = run.find(qn("w:rPr"))
    shown = "".join(t.text or "" for t in xpath(run, "./w:t"))
    start = shown.find(text)
    before, after = shown[:start], shown[start + len(text) :]
    link = OxmlElement("w:hyperlink", {qn("r:id"): r_id, qn("w:history"): "1"})
    inside = _run(text, rpr)
    # Direct formatting, not the Hyperlink style: a template may not define that style.
    look = inside.get_or_add_rPr()  # python-docx's: keeps the schema's element order
    look.get_or_add_color().set(qn("w:val"), "0563C1")
    look.get_or_add_u().set(qn("w:val"), "single")
    link.append(inside)
    pieces = [_run(before, rpr)] if before else []
    pieces += [link] + ([_run(after, rpr)] if after else [])
    for piece in pieces:
        run.addprevious(piece)
    run.getparent().remove(run)


def _run(text: str, rpr: Any) -> Any:
    r = OxmlElement("w:r")
    if rpr is not None:
        r.append(deepcopy(rpr))
    r.text = text  # python-docx escapes XML and maps \t and \n to w:tab and w:br
    return r


def _is_block(sdt: Any, content: Any) -> bool:
    parent = sdt.getparent()
    return parent.tag in (qn("w:body"), qn("w:tc"), qn("w:hdr"), qn("w:ftr")) or bool(
        xpath(content, "./w:p | ./w:tbl")
    )


def _clear(element: Any) -> None:
    for child in list(element):
        element.remove(child)


def _first(items: list[Any]) -> Any:
    return items[0] if items else None
