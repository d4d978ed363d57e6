"""Word documents for an incident: the running report, the review and the Major Incident report.

Pure functions, bytes in and bytes out; the Graph adapter moves the bytes to and from SharePoint.
Owned values live in content controls tagged `ca:<field>`; see fields.py and rows.py.

Import from the module that says what you need: report (the running report), review, major (the
Major Incident report), read (fields, timeline and communications read back), comms (the
"Communications sent" table), check (a template's fitness), layout (building the templates).
"""
