"""The soak's PostgreSQL: a throwaway cluster (tests/postgres_cluster.py's, one copy for the
tests and the soak) with one database, its schema made by `comms-assistant db upgrade` as a
deployment's is before its processes start."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from postgres_cluster import start_cluster  # noqa: E402
from soak_procs import cli  # noqa: E402

URL_VARIABLE = "COMMS_ASSISTANT_DATABASE_URL"


@contextmanager
def database(engine: str) -> Iterator[str | None]:
    """A new PostgreSQL database's URL for the length of the block; None for SQLite (the file
    in the home folder, as the product's default)."""
    if engine == "sqlite":
        yield None
        return
    cluster = start_cluster()
    try:
        yield cluster.new_database()
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.folder, ignore_errors=True)


def upgrade(env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [*cli(), "db", "upgrade"], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"comms-assistant db upgrade failed:\n{done.stdout}{done.stderr}")
