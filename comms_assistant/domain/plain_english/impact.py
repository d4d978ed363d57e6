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

# GOV.UK and the labelling guide: the first sentence says who is affected and how.
OPENING_SENTENCES = 1

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
    r"\b(?:websites?|sites?|service|app|apps|form|forms|pages?|emails?|messages?|texts?|"
    r"payments?|bookings?|appointments?|applications?|accounts?|receipts?|reports?|"
    r"phones?|phone lines?|helpline|portal|calls?|letters?|transfers?|orders?|records?|"
    r"services|mail|jobs|builds|projects|log ?ins?|sign ?ins?|downloads?|uploads?|"
    r"(?:load|start ?up|loading|waiting|response) times)\b",
    re.IGNORECASE,
)
_CAN_OR_CANNOT = re.compile(
    r"\b(?:cannot|can ?not|can['’]t|can|could not|couldn['’]t|unable to|(?:not|no longer) able"
    r" to|(?:may|might) (?:not )?(?:be able|see|get|have|need|lose|notice|find|wait|be)|"
    r"will not|won['’]t|(?:are|is|were|was) (?:still )?(?:not )?(?:being|getting|seeing|"
    r"having|stuck|receiving|affected|logged|asked|charged|slow|slower|working|unavailable|"
    r"down|offline|delayed|late|arriving|missing|lost|safe|saved)|(?:have|has) (?:not )?"
    r"(?:received|lost|got|had|been|shown)|delayed|late|twice|slowly|not at all|"
    r"error pages?|error messages?|lose)\b"
    # What people noticed or went through: "Some people saw other people's names".
    r"|\b(?:saw|seeing|seen|noticed|noticing|experienced|experiencing|encountered|"
    r"encountering|faced|facing|were shown|was shown|were charged|was charged|missed|"
    r"affect(?:s|ed|ing))\b",
    re.IGNORECASE,
)
# What people notice when a thing they use is not working.
_SYMPTOM = re.compile(
    r"\b(?:unavailable|unreachable|inaccessible|not (?:working|loading|available|responding|"
    r"processing|accessible|reachable)|(?:is|are) down|offline|outages?|disruption|disrupted|"
    r"blocked|rejected|dropped|bounced|slow|slower|slowness|delays?|delayed|errors?|fail(?:s|ing|"
    r"ures?)?|unreliab\w*|broken|(?:heavy|high) load|timing out|times? out|interrupted|"
    r"degraded|intermittent\w*|(?:problems?|issues?) (?:with|using|accessing|signing|logging))\b",
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


def says_impact(
    sentence: str, *, names_a_service: bool = False, jargon: Sequence[int] = ()
) -> bool:
    """Whether the sentence says who is affected and how, or that a thing people use (or a
    service the organisation names) is not working for them."""
    cause = _CAUSES_THEN.search(sentence)
    if cause and not _people(sentence, cause.start()):
        # "An issue with mail delivery caused some emails to be dropped" says what people
        # lost; "A Redis failure caused an outage" opens with what broke.
        return _effect_after(sentence, cause, names_a_service, jargon)
    who = _people(sentence, len(sentence))
    # "Creating a project fails": what people were doing is the subject.
    what = names_a_service or bool(_WHAT.search(sentence) or _DOING.match(sentence))
    if _CAN_OR_CANNOT.search(sentence) and (who or what):
        return True
    return _symptom_of_subject(sentence, names_a_service)


def _effect_after(
    sentence: str, cause: re.Match[str], names_a_service: bool, jargon: Sequence[int]
) -> bool:
    """After "caused" or "led to": what people lost, unless something technical came first."""
    effect = _people(sentence, len(sentence)) or _WHAT.search(sentence, cause.end())
    technical = any(offset < cause.start() for offset in jargon)
    return bool(effect or names_a_service) and not technical


def _symptom_of_subject(sentence: str, names_a_service: bool) -> bool:
    symptom = _SYMPTOM.search(sentence)
    if symptom is None or _CAUSE.search(sentence, 0, symptom.start()):
        return False  # "A DNS change made the site unreachable": the cause comes first
    # Who or what is not working comes first, as the subject: "builds failed" after a cause
    # ("The registry was unavailable, so new builds failed") is the cause's effect.
    there = _THERE.search(sentence, 0, symptom.start())
    before = len(sentence) if there else symptom.start()
    return (
        _people(sentence, before)
        or names_a_service
        or bool(_WHAT.search(sentence, 0, before) or _DOING.match(sentence))
    )


# "There is an outage of the website": the symptom comes first, and that is the impact.
_THERE = re.compile(
    r"\bthere (?:is|are|was|were|has been|have been)\b|\b(?:is|are) (?:showing|seeing)\b",
    re.IGNORECASE,
)


def _people(sentence: str, end: int) -> bool:
    """People named before `end`; those who supply a service are not the people it fails."""
    return any(not _SUPPLIERS.fullmatch(m.group()) for m in _WHO.finditer(sentence, 0, end))


_SUPPLIERS = re.compile(r"providers?|suppliers?|partners?", re.IGNORECASE)


_CAUSES_THEN = re.compile(r"\b(?:caus(?:ed|es|ing)|resulted in|led to|leading to)\b", re.I)
_DOING = re.compile(r"\s*(?:When |While )?[A-Z][a-z]+ing\b")


def leads_with_cause(sentence: str, *, has_jargon: bool) -> bool:
    return not says_impact(sentence) and (has_jargon or bool(_CAUSE.search(sentence)))


def impact_first(
    sentences: Sequence[Sentence],
    text: str,
    jargon_spans: Sequence[tuple[int, int]],
    names: Sequence[tuple[int, int]] = (),
) -> list[Finding]:
    """`names`: where the text names the organisation's own services (its glossary)."""
    body = [s for s in sentences if not _heading(text, s)] or list(sentences)
    opening = body[:OPENING_SENTENCES]
    if not opening:
        return []
    for sentence in opening:
        technical = [
            s - sentence.start for s, _ in jargon_spans if sentence.start <= s < sentence.end
        ]
        words = text[sentence.start : min(sentence.end, sentence.start + _OPENING_READ)]
        if says_impact(words, names_a_service=_names(sentence, names), jargon=technical):
            return []
    first = opening[0]
    words = text[first.start : min(first.end, first.start + _OPENING_READ)]
    has_jargon = any(first.start <= s < first.end for s, _ in jargon_spans)
    message = LEADS_WITH_CAUSE if leads_with_cause(words, has_jargon=has_jargon) else NO_IMPACT
    whole = text[first.start : first.end]
    return [Finding(Rule.IMPACT_FIRST, first.start, first.end, whole, message, SUGGESTION)]


# Whether a sentence opens with the impact is in its first words: a "sentence" longer than this
# (a pasted log or a list of names) is read no further, so its searches cost no more.
_OPENING_READ = 1000


# A heading: a short line with no full stop ("Service disruption", "Summary:").
_HEADING_WORDS = 6


def _heading(text: str, sentence: Sentence) -> bool:
    line = text[sentence.start : sentence.end].strip()
    return (
        len(sentence.tokens) <= _HEADING_WORDS
        and not line.endswith((".", "!", "?"))
        and text[sentence.end : sentence.end + 1] in ("\n", "")
    )


def _names(sentence: Sentence, names: Sequence[tuple[int, int]]) -> bool:
    return any(sentence.start <= s < sentence.end for s, _ in names)
