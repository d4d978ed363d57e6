"""How long the plain-English checker takes on a megabyte of text: a figure, not a test.

    python scripts/bench_plain_english.py            # 1 MB as messages, one line, a name, a word
    python scripts/bench_plain_english.py --size 200000

The text is real incident messages (eval/plain_english/items.jsonl, which have lists, field
lines, codes, acronyms and addresses), with a Welsh paragraph and a bulleted list among them,
repeated to the size asked for. The checker should take time in proportion to the text: under
2 s for 1 MB on one core (issue 18 measured 50 s, and 410 s for one 1 MB line, before).

Then two texts no one writes but a paste can hold: one name of a megabyte made of hyphenated and
dotted parts ("db-prod-03.a1-b2_c…", where a pattern that may start at every part takes quadratic
time) and one word of a megabyte.

Each time is CPU time, and also a multiple of one pass over the same text's characters in
Python, so that machines of different speeds can be compared. On this project's 2-core virtual
machines both vary by about a tenth from run to run: run it a few times.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from comms_assistant.domain.plain_english import apply_suggestions, check

ROOT = Path(__file__).resolve().parent.parent
EXTRA = [
    "Mae'r gwasanaeth ar gael eto. Diolch am eich amynedd tra roedden ni'n gweithio arno.",
    "What we know:\n- Some people cannot sign in\n- Payments still work\n1. Try again later",
    "Summary: Users saw 5xx errors from db-prod-03.internal in us-central1-b (v2.3.1).\n"
    "Impact: an issue with the API gateway; we rolled back the change and mitigated it.",
    "Read more at https://status.example.org/incidents/123 or email help@example.org.",
]


def sample(size: int, *, one_line: bool) -> str:
    items = ROOT / "eval" / "plain_english" / "items.jsonl"
    texts = [json.loads(line)["text"] for line in items.read_text(encoding="utf-8").splitlines()]
    base = "\n\n".join([*texts, *EXTRA])
    if one_line:
        base = " ".join(base.split())
    text = (base + ("  " if one_line else "\n\n")) * (size // len(base) + 1)
    return text[:size]


# Parts of a name that code-shaped patterns read: hyphens, dots, digits, underscores, capitals.
NAME_PARTS = "db-prod-03.a1-b2_c.eu-west-2a.v1.2.3-x.s390x-FooBar."


def unbroken(size: int, *, word: bool) -> str:
    return "a" * size if word else (NAME_PARTS * (size // len(NAME_PARTS) + 1))[:size]


def reference(text: str) -> float:
    """CPU time for one pass over the text's characters in Python: the checker's time is also
    printed as a multiple of this, to compare machines of different speeds."""
    started = time.process_time()
    for _ in range(REFERENCE_PASSES):
        sum(1 for character in text if character.isalpha())
    return (time.process_time() - started) / REFERENCE_PASSES


REFERENCE_PASSES = 5


def timed(text: str) -> tuple[float, float, int]:
    started = time.process_time()
    report = check(text)
    checked = time.process_time() - started
    started = time.process_time()
    apply_suggestions(text, report)
    return checked, time.process_time() - started, len(report.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters (default 1 MB)")
    size = parser.parse_args().size
    check("Warm up: load the word lists and wordfreq's data once.")
    texts = {
        "messages": sample(size, one_line=False),
        "one line": sample(size, one_line=True),
        "one name": unbroken(size, word=False),
        "one word": unbroken(size, word=True),
    }
    for label, text in texts.items():
        checked, rewritten, found = timed(text)
        times = checked / reference(text)
        print(
            f"plain English, {len(text.encode()):,} bytes as {label}: check {checked:.2f} s "
            f"({times:.0f} times a pass over its characters), rewrite {rewritten:.2f} s "
            f"({found:,} findings, CPU time)"
        )


if __name__ == "__main__":
    main()
