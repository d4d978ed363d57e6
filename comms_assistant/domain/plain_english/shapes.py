"""Codes and names by their shape: status codes, addresses, regions, versions, names from code.

Readers will not know what "HTTP 503", "eu-west-2a" or "NullPointerException" mean, whether or
not a list holds them; the shape alone says they are technical.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from comms_assistant.domain.plain_english.lexicon import word_set
from comms_assistant.domain.plain_english.text import Sentence

# Where a name that may hold hyphens and dots can start: not inside another word, after a dot or
# a hyphen. A plain \b would let every part of "a-b-c-…" start a match that runs to its end, and
# a long run of them would take quadratic time.
_AT = r"(?<![A-Za-z0-9_.-])"

SHAPES = (
    # HTTP status codes: "HTTP 503", "502s", "500 errors"
    re.compile(
        r"\b(?:HTTP\s+(?:status\s+)?[1-5]\d\d|[45]\d\ds|[45]\d\d\s+(?:errors?|responses?|"
        r"status(?:es)?|codes?))\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),  # an IP address
    # Cloud regions and zones: "us-central1-b", "eu-west-2a", "europe-west2", "eastus2"
    re.compile(
        r"\b(?:(?:us|eu|ap|sa|ca|me|af|il|mx|uk|in|jp|kr|asia|europe|northamerica|southamerica|"
        r"australia|africa)-[a-z]+-?\d{1,2}[a-z]?(?:-[a-z])?|(?:east|west|north|south|central|"
        r"southeast|northeast)(?:us|europe|uk|asia|india|japan|australia)\d?|uk(?:south|west))\b"
    ),
    # Versions: "v2.3.1", "1.20.9-gke.2100" (not a date such as 22.02.2026)
    re.compile(
        r"\b(?:v\d+(?:\.\d+)+|(?!\d{1,2}\.\d{1,2}\.\d{2,4}\b)\d+\.\d+\.\d+)"
        r"(?:[-+][0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?\b"
    ),
    re.compile(r"\b0x[0-9A-Fa-f]{2,}\b"),  # a hexadecimal error code: "0x80070005"
    # Internal host names: "db-prod-03.internal"
    re.compile(
        _AT + r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp|intranet|svc)\b"
    ),
    # Names with a number: hosts ("api-2.eu.example.com", "apps.live-1.example.gov.uk",
    # "db01.phx2"), machines ("proxy01") and kebab-case ("db-prod-03", "gke-pool-2"). One
    # pattern, so a plain word is read once: the look-ahead gives up at its end with no digit.
    re.compile(
        _AT + r"(?=[a-z][a-z0-9.-]*\d)(?:"
        r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+\b"
        r"|[a-z][a-z0-9-]*[a-z]\d{2,}[a-z]?\b"
        r"|[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}\b(?<=\d)"
        r"|[a-z]+\d+[a-z]*-[a-z0-9-]+\b)"
    ),
    # Names from code: snake_case and ERR_CONNECTION_RESET, com.example.Foo, camelCase
    re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b"),
    re.compile(
        _AT + r"[a-z][a-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_]+)*\.[A-Za-z_]*[A-Z_][A-Za-z0-9_]*\b"
    ),
    re.compile(r"\b[a-z]{2,}[A-Z][A-Za-z0-9]*\b"),
    # Exceptions and CamelCase names: "NullPointerException", "TimeoutError", "CosmosDB"
    re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault|BackOff)\b"),
    re.compile(
        r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b|\b[A-Z][a-z]{3,}(?:[A-Z][a-z0-9]+|[A-Z]{2,})\b"
    ),
    # Processor architectures and machine models: "s390x", "z15", "aarch64"; release codes: "f37"
    re.compile(r"\b[a-z]\d{2,}[a-z]?\b"),
)


def shape_hits(text: str, sentences: list[Sentence]) -> dict[int, list[tuple[int, int, str]]]:
    """Codes and names by their shape, per sentence (keyed by its start), in SHAPES order:
    each shape scans the text once, not once a sentence."""
    starts = [s.start for s in sentences]
    hits: dict[int, list[tuple[int, int, str]]] = {}
    for shape in SHAPES:
        for hit in shape.finditer(text):
            index = bisect_right(starts, hit.start()) - 1
            if index < 0 or hit.end() > sentences[index].end:
                continue  # outside the sentences checked, or across two
            hits.setdefault(starts[index], []).append((hit.start(), hit.end(), hit.group()))
    return hits


# CamelCase names people know from everyday life, and name prefixes ("McDonald").
_KNOWN_NAMES = word_set(
    """SharePoint OneDrive PowerPoint OneNote YouTube LinkedIn PayPal WhatsApp FaceTime MacBook
    iPhone iPad iPads iPhones iCloud iTunes eBay TikTok WordPress JobCentre NatWest GovWifi
    HealthCheck BlackBerry PlayStation DropBox Dropbox FedEx McAfee StartUp"""
)
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Le|La|Di|Da|Van|Von|Du|Fitz|O)[A-Z]")


def known_name(words: str) -> bool:
    return words in _KNOWN_NAMES or bool(_NAME_PREFIX.match(words))
