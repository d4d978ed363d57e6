"""The plain-English checker: helps the comms lead write for people who are not engineers.

    report = check(text, kind="update", glossary=Glossary.of(allowed=["Apply"]))
    report.findings        # each with rule, start/end offsets, message, suggestion
    report.holds           # a blocking finding (jargon, acronym, impact first): hold it back
    report.blocking, report.advice     # the two kinds; advice never holds a message
    format_findings(report)            # a short reply for a person
    apply_suggestions(text, report)    # the text with the drop-in replacements made

Pure and deterministic: it reads its shipped word lists (and wordfreq's data) once, then does no
I/O. The rules follow the GOV.UK content design guidance; see data/ for the lists and licences.
"""

from comms_assistant.domain.plain_english.checker import check
from comms_assistant.domain.plain_english.model import Finding, Glossary, Kind, Report, Rule
from comms_assistant.domain.plain_english.reply import apply_suggestions, format_findings

__all__ = [
    "Finding",
    "Glossary",
    "Kind",
    "Report",
    "Rule",
    "apply_suggestions",
    "check",
    "format_findings",
]
