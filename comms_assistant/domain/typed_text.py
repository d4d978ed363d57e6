"""Text as people typed it, made plain once at the command parser for every entry point."""

from __future__ import annotations

import re
import unicodedata

# Terminal escape sequences go whole: removing only the ESC would leave "[31m" in a title.
# CSI (ESC [ or U+009B, parameters, final byte: colours, cursor moves); OSC (ESC ] or U+009D up
# to its terminator: window titles, terminal hyperlinks), whose text stays when it never ends;
# and the other ESC sequences (intermediate bytes, then one final byte).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_LINE_BREAK = re.compile(r"\r\n?")


def plain_text(text: str) -> str:
    """What was typed, as text only: what every command field is made from.

    A title reaches an email subject, a Teams card, a terminal and a SharePoint file name, where
    invisible characters do harm: control characters (BEL, ESC and the ANSI colour sequences they
    start) garble terminals and names, bidi overrides (U+202E) make "gnp.exe" read as "exe.png",
    and zero-width characters split words so checks and searches miss them. So every control
    (Cc) and format (Cf) character goes, by category rather than a list so none is forgotten.
    Format characters also join emoji sequences and some scripts' letters (ZWJ, ZWNJ, tag
    characters): commands are plain words, and losing that joining is the lesser harm. Line
    breaks stay (the declaring phrase may span lines); tabs and other spacing controls become
    spaces so words are not run together; lone surrogates (Cs) go too, as no file or message
    can encode them. Then NFC, so the same words are the same characters wherever they go.
    """
    text = _LINE_BREAK.sub("\n", _ESCAPE_SEQUENCE.sub("", text))
    kept = []
    for char in text:
        if char == "\n":
            kept.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            if char.isspace():
                kept.append(" ")
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))
