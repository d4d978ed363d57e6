"""Measure the plain-English checker on real incident messages: per-rule precision and recall.

    python scripts/eval_plain_english.py            # a table
    python scripts/eval_plain_english.py --json     # the same figures for a machine
    python scripts/eval_plain_english.py --misses   # also list rewrite cases that went wrong

Reads eval/plain_english/ (items.jsonl, rewrites.jsonl, glossaries.json); the labels, the
labelling guide and the matching method are described in eval/plain_english/README.md.
Always exits 0: the figures are a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from comms_assistant.domain.plain_english import (
    Glossary,
    Kind,
    Report,
    Rule,
    apply_suggestions,
    check,
)

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval" / "plain_english"

# The split the issue asks for; used only when the checker does not say itself (see _blocking).
DEFAULT_BLOCKING = frozenset({"jargon", "acronym", "impact-first"})
# Rules labelled once per message rather than per word or sentence.
MESSAGE_RULES = frozenset({"readability", "impact-first"})

Span = tuple[int, int]


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_glossaries(path: Path) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def occurrences(term: str, text: str) -> list[Span]:
    """Every case-insensitive occurrence of `term` not inside a longer word."""
    pattern = r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def count_sentences(text: str) -> int:
    """Sentences as GUIDE.md counts them: per line, then at sentence ends."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return sum(
        1
        for line in text.split("\n")
        if line.strip()
        for s in segmenter.segment(line)
        if re.search(r"[A-Za-z0-9]", s)
    )


def _blocking(finding: Any) -> bool:
    # Prefer what the checker says about its own findings, so the figure follows it.
    for owner in (finding, finding.rule):
        flag = getattr(owner, "blocking", None)
        if isinstance(flag, bool):
            return flag
    return str(finding.rule.value) in DEFAULT_BLOCKING


def _kind(name: str) -> Kind:
    try:
        return Kind(name)
    except ValueError:
        return Kind.TEXT


@dataclass
class Tally:
    tp: int = 0  # findings that match a label
    fp: int = 0  # findings that match none
    found: int = 0  # labels matched by a finding
    fn: int = 0  # labels no finding matched
    labelled: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "labels": self.found + self.fn,
            "precision": ratio(self.tp, self.tp + self.fp),
            "recall": ratio(self.found, self.found + self.fn) if self.labelled else None,
        }


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


@dataclass
class Evaluation:
    tallies: dict[str, Tally] = field(default_factory=dict)
    items: int = 0
    sentences: int = 0
    organisations: set[str] = field(default_factory=set)
    updates: int = 0
    updates_held: int = 0
    updates_should_hold: int = 0
    items_held: int = 0

    def tally(self, rule: str) -> Tally:
        return self.tallies.setdefault(rule, Tally())


def rule_names(items: Iterable[dict[str, Any]]) -> list[str]:
    """Every rule the checker has, plus any a label names, in the checker's order."""
    names = [r.value for r in Rule]
    for item in items:
        names += [k for k in item["labels"] if k not in names]
    return names


def evaluate_items(items: list[dict[str, Any]], glossaries: dict[str, list[str]]) -> Evaluation:
    ev = Evaluation()
    for name in rule_names(items):
        ev.tally(name).labelled = any(name in i["labels"] for i in items)
    for item in items:
        text, labels, kind = item["text"], item["labels"], _kind(item["kind"])
        report = check(
            text, kind=kind, glossary=Glossary.of(allowed=glossaries.get(item["source"], []))
        )
        ev.items += 1
        ev.sentences += count_sentences(text)
        ev.organisations.add(item["organisation"])
        held = any(_blocking(f) for f in report.findings)
        ev.items_held += held
        if kind is Kind.UPDATE:
            ev.updates += 1
            ev.updates_held += held
            ev.updates_should_hold += any(
                labels.get(r) for r in DEFAULT_BLOCKING if r != "impact-first"
            ) or bool(labels.get("impact-first"))
        for name in ev.tallies:
            score_rule(ev.tally(name), name, item, report)
    return ev


def score_rule(tally: Tally, name: str, item: dict[str, Any], report: Report) -> None:
    findings = [f for f in report.findings if str(f.rule.value) == name]
    label = item["labels"].get(name)
    if name in MESSAGE_RULES:
        if name == "impact-first" and not _kind(item["kind"]).leads_with_impact:
            return  # labelled only where the rule applies (GUIDE.md)
        predicted, expected = bool(findings), bool(label)
        tally.tp += predicted and expected
        tally.fp += predicted and not expected
        tally.found += predicted and expected
        tally.fn += expected and not predicted
        return
    terms = label if isinstance(label, list) else []
    spans = {t: occurrences(t, item["text"]) for t in terms}
    every = [s for found in spans.values() for s in found]
    for f in findings:
        if any(overlaps((f.start, f.end), s) for s in every):
            tally.tp += 1
        else:
            tally.fp += 1
    for found in spans.values():
        if any(overlaps((f.start, f.end), s) for f in findings for s in found):
            tally.found += 1
        else:
            tally.fn += 1


@dataclass
class RewriteResult:
    total: int = 0
    correct: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    misses: list[dict[str, str]] = field(default_factory=list)


def rewrite_case(case: dict[str, Any], glossary: list[str]) -> tuple[str, str]:
    """The checker's rewrite of this case's term: (outcome, the sentence it produced)."""
    text = case["text"]
    term_spans = occurrences(case["term"], text)[:1]
    report = check(text, kind=Kind.TEXT, glossary=Glossary.of(allowed=glossary))
    # Only the findings on this case's term count: the rest of the sentence has its own cases.
    mine = tuple(
        f
        for f in report.findings
        if f.replacement is not None and any(overlaps((f.start, f.end), s) for s in term_spans)
    )
    produced = apply_suggestions(text, replace(report, findings=mine))
    accepted = {case["expected"], *case.get("acceptable", [])}
    if produced == text:
        outcome = "correct" if text in accepted else "not replaced"
    elif produced not in accepted:
        outcome = "replaced, should not be" if case["expected"] == text else "wrong text"
    else:
        outcome = "correct" if not _reflagged(text, produced, mine, glossary) else "re-flagged"
    return outcome, produced


def _reflagged(before: str, after: str, made: tuple[Any, ...], glossary: list[str]) -> bool:
    """Whether the words put in are themselves reported when the result is checked again."""
    start = min(f.start for f in made)
    end_from_tail = len(before) - max(f.end for f in made)
    region = (start, len(after) - end_from_tail)
    again = check(after, kind=Kind.TEXT, glossary=Glossary.of(allowed=glossary))
    return any(
        f.rule.value in ("jargon", "words-to-avoid", "acronym")
        and overlaps((f.start, f.end), region)
        for f in again.findings
    )


def evaluate_rewrites(
    cases: list[dict[str, Any]], glossaries: dict[str, list[str]]
) -> RewriteResult:
    result = RewriteResult()
    for case in cases:
        glossary = case.get("glossary") or glossaries.get(case["source"], [])
        outcome, produced = rewrite_case(case, glossary)
        result.total += 1
        result.correct += outcome == "correct"
        result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
        if outcome != "correct":
            result.misses.append(
                {"id": case["id"], "outcome": outcome, "term": case["term"], "got": produced}
            )
    return result


def summary(ev: Evaluation, rw: RewriteResult) -> dict[str, Any]:
    return {
        "items": ev.items,
        "sentences": ev.sentences,
        "organisations": len(ev.organisations),
        "rules": {name: t.as_dict() for name, t in ev.tallies.items()},
        "updates": ev.updates,
        "updates_held_back": ratio(ev.updates_held, ev.updates),
        "updates_that_should_be_held": ratio(ev.updates_should_hold, ev.updates),
        "all_items_held_back": ratio(ev.items_held, ev.items),
        "rewrites": {
            "cases": rw.total,
            "correct": ratio(rw.correct, rw.total),
            "outcomes": dict(sorted(rw.outcomes.items())),
        },
    }


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value * 100:5.1f}%"


def print_table(data: dict[str, Any], rw: RewriteResult, misses: bool) -> None:
    print(
        f"Evaluation set: {data['items']} messages, {data['sentences']} sentences, "
        f"{data['organisations']} organisations\n"
    )
    print(f"{'rule':<18}{'precision':>10}{'recall':>9}{'TP':>6}{'FP':>6}{'FN':>6}{'labels':>8}")
    for name, r in data["rules"].items():
        print(
            f"{name:<18}{_pct(r['precision']):>10}{_pct(r['recall']):>9}"
            f"{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}{r['labels']:>8}"
        )
    print(
        f"\nUpdates held back (blocking findings): {_pct(data['updates_held_back']).strip()} "
        f"of {data['updates']}; by the labels {_pct(data['updates_that_should_be_held']).strip()}"
        f"\nAll messages held back: {_pct(data['all_items_held_back']).strip()}"
    )
    w = data["rewrites"]
    outcomes = ", ".join(f"{k} {v}" for k, v in w["outcomes"].items())
    print(f"Rewrite set: {_pct(w['correct']).strip()} correct of {w['cases']} ({outcomes})")
    if misses:
        for m in rw.misses:
            print(f"  {m['id']} [{m['outcome']}] {m['term']!r}: {m['got']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list rewrite cases not correct")
    parser.add_argument("--dir", type=Path, default=EVAL_DIR, help="the evaluation folder")
    args = parser.parse_args(argv)
    glossaries = load_glossaries(args.dir / "glossaries.json")
    ev = evaluate_items(load_jsonl(args.dir / "items.jsonl"), glossaries)
    rw = evaluate_rewrites(load_jsonl(args.dir / "rewrites.jsonl"), glossaries)
    data = summary(ev, rw)
    if args.json:
        if args.misses:
            data["rewrites"]["misses"] = rw.misses
        json.dump(data, sys.stdout, indent=2)
        print()
    else:
        print_table(data, rw, args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
