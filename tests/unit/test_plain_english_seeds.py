"""The checker gives the same answer every time: findings and rewrites do not depend on the
hash seed (set and frozenset order), so each process agrees with every other (issue 18)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Words with several forms and terms on several lists, where the old matcher picked a
# replacement by set order; codes, acronyms, Welsh and a list for every other rule.
TEXT = """Some users see high latency and elevated error rates from time to time.
We rolled back the deployments, mitigated the issues and are retrying the failed transfers.
An issue with the DNS failover caused timeouts on db-prod-03.internal in us-central1-b.
Summary: We will utilise additional capacity, ensure the caches are purged and commence work.
- The Key Management Service (KMS) was restarted at 17:00 UTC.
- Packet loss of 30-80% hit the office network; we can't say why yet.

Mae'r gwasanaeth ar gael eto. Diolch am eich amynedd."""

PROGRAM = """
import json, sys
from comms_assistant.domain.plain_english import apply_suggestions, check
text = sys.stdin.read()
report = check(text)
print(json.dumps({"report": report.to_dict(), "rewrite": apply_suggestions(text, report)}))
"""
SEEDS = ("0", "1", "2", "3", "42", "1234")


def run(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        input=TEXT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_findings_and_rewrites_are_the_same_under_every_hash_seed() -> None:
    answers = {seed: run(seed) for seed in SEEDS}
    first = answers[SEEDS[0]]
    assert len(first["report"]["findings"]) > 10 and first["rewrite"] != TEXT
    for seed, answer in answers.items():
        assert answer == first, f"PYTHONHASHSEED={seed} differs"
