"""Impact first: an update opens with who is affected and what they can or cannot do.

"Some people cannot sign in" tells a reader whether to act; "One of the availability zones is
down" does not. The opening (its first two sentences) passes when it names people, or a thing
people use, together with what they can or cannot do or what they notice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from comms_assistant.domain.plain_english.model import Finding, Rule
from comms_assistant.domain.plain_english.text import Sentence

OPENING_SENTENCES = 2

_WHO = re.compile(
    r"\b(?:people|person|users?|customers?|candidates?|applicants?|staff|colleagues?|"
    r"employees?|everyone|everybody|any(?:one|body)|nobody|no one|some(?:one|body)|you|your|"
    r"visitors?|callers?|patients?|parents?|pupils?|students?|learners?|trainees?|teachers?|"
    r"schools?|providers?|suppliers?|claimants?|famil(?:y|ies)|residents?|citizens?|drivers?|"
    r"landlords?|tenants?|employers?|agents?|advisers?|nurses?|doctors?|clinicians?|"
    r"managers?|members?|the public|partners?|organisations?|councils?|businesses|"
    r"shoppers?|buyers?|passengers?|travellers?|case ?workers?|job ?seekers?|officers?|"
    r"inspectors?|leads|those)\b",
    re.IGNORECASE,
)
# Things people use or receive, for openings like "The website is slower than usual".
_WHAT = re.compile(
    r"\b(?:website|site|service|app|apps|form|forms|pages?|emails?|messages?|texts?|"
    r"payments?|bookings?|appointments?|applications?|accounts?|receipts?|reports?|"
    r"phones?|phone lines?|helpline|portal|calls?|letters?|transfers?|orders?|records?)\b",
    re.IGNORECASE,
)
_CAN_OR_CANNOT = re.compile(
    r"\b(?:cannot|can ?not|can['’]t|can|could not|couldn['’]t|unable to|(?:not|no longer) able"
    r" to|(?:may|might) (?:not )?(?:be able|see|get|have|need|lose|notice|find|wait|be)|"
    r"will not|won['’]t|(?:are|is|were|was) (?:still )?(?:not )?(?:being|getting|seeing|"
    r"having|stuck|receiving|affected|logged|asked|charged|slow|slower|working|unavailable|"
    r"down|offline|delayed|late|arriving|missing|lost|safe|saved)|(?:have|has) (?:not )?"
    r"(?:received|lost|got|had|been|shown)|delayed|late|twice|slowly|not at all|"
    r"error pages?|error messages?|lose)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(?:because|due to|caused by|root cause|fail(?:ed|ure|ing|s)?|bug|crash(?:ed)?|"
    r"expired|misconfigur\w*|change|deploy\w*|release|supplier's|provider's|database|"
    r"servers?|network|outage|problem with|issue with|went down|is down|ran out|"
    r"(?:is|are) returning|broke|broken|corrupt\w*|blocked|overloaded|restarted)\b",
    re.IGNORECASE,
)

LEADS_WITH_CAUSE = (
    "This opens with what went wrong. People first need to know who is affected and what they "
    "can or cannot do."
)
NO_IMPACT = "The opening does not say who is affected or what they can or cannot do."
SUGGESTION = (
    'Start with the effect on people, e.g. "Some people cannot sign in." Leave the cause for '
    "later, or out."
)


def says_impact(sentence: str) -> bool:
    return bool(_CAN_OR_CANNOT.search(sentence)) and bool(
        _WHO.search(sentence) or _WHAT.search(sentence)
    )


def leads_with_cause(sentence: str, *, has_jargon: bool) -> bool:
    return not says_impact(sentence) and (has_jargon or bool(_CAUSE.search(sentence)))


def impact_first(
    sentences: Sequence[Sentence], text: str, jargon_spans: Sequence[tuple[int, int]]
) -> list[Finding]:
    opening = sentences[:OPENING_SENTENCES]
    if not opening or any(says_impact(text[s.start : s.end]) for s in opening):
        return []
    first = opening[0]
    words = text[first.start : first.end]
    has_jargon = any(first.start <= s < first.end for s, _ in jargon_spans)
    message = LEADS_WITH_CAUSE if leads_with_cause(words, has_jargon=has_jargon) else NO_IMPACT
    return [Finding(Rule.IMPACT_FIRST, first.start, first.end, words, message, SUGGESTION)]
