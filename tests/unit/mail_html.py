"""Reading an email's HTML part as a person does: its links, and its text block by block."""

from __future__ import annotations

from html.parser import HTMLParser

from comms_assistant.service.ports import OutgoingMail


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._text.append(data)


def parsed(mail: OutgoingMail) -> _Links:
    parser = _Links()
    parser.feed(mail.html)
    return parser


class _Blocks(HTMLParser):
    BLOCKS = ("h1", "h2", "p")

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.blocks.append("")
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def blocks_in(html: str) -> list[str]:
    """The email's headings and paragraphs as a reader meets them, each as one line of text."""
    parser = _Blocks()
    parser.feed(html)
    return [" ".join(block.split()) for block in parser.blocks]
