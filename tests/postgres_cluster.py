"""A throwaway PostgreSQL cluster for the tests, started once per session when a test first asks.

`initdb` into a temporary folder, the server on 127.0.0.1 at a free port with its unix socket in
that folder, stopped and removed at the end. PostgreSQL refuses to run as root, so when the tests
do (CI in a container) the cluster belongs to `nobody` and its commands run through `runuser`.

The binaries are looked for on PATH, then where Debian's `apt-get install postgresql` puts them
(/usr/lib/postgresql/<version>/bin, not on PATH). Missing, the PostgreSQL tests FAIL saying how to
install them: CI installs them, and a silent skip would let a whole engine go untested. To skip
them on purpose on a machine without PostgreSQL, set SKIP_POSTGRES_TESTS=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_VARIABLE = "SKIP_POSTGRES_TESTS"
ENGINES = ["sqlite", "postgresql"]


def binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    bin: Path
    port: int
    as_user: list[str]  # the runuser prefix when the tests run as root
    made: int = 0

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], cwd=self.folder, check=True, capture_output=True, text=True
        )

    def start(self) -> None:
        data = self.folder / "data"
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=300 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop")

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        """A new empty database's URL."""
        self.made += 1
        name = f"test_{os.getpid()}_{self.made}"
        self.admin(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def drop(self, url: str) -> None:
        # FORCE ends the connections the test's engines still hold in their pools.
        self.admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def start_cluster() -> Cluster:
    found = binaries()
    if found is None:
        message = (
            "PostgreSQL's server binaries (initdb, pg_ctl) were not found on PATH or in "
            "/usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql) or set "
            f"{SKIP_VARIABLE}=1 to skip the PostgreSQL tests on purpose"
        )
        pytest.fail(message, pytrace=False)
    folder = Path(tempfile.mkdtemp(prefix="comms-assistant-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL will not run as root
        shutil.chown(folder, "nobody", "nogroup" if _has_group("nogroup") else "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    cluster = Cluster(folder, found, free_port(), as_user)
    try:
        cluster.start()
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        detail = log.read_text()[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {error.stderr or error}\n{detail}", pytrace=False)
    return cluster


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: the PostgreSQL tests are skipped on purpose")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new empty database on each engine in turn: a SQLite file's URL, or a database of its
    own in the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.new_database()
    try:
        yield url
    finally:
        cluster.drop(url)


@pytest.fixture
def store_url(database_url: str) -> str:
    """`database_url` with the schema made (`comms-assistant db upgrade`), as a deployment on
    PostgreSQL has it before its processes start."""
    from comms_assistant.adapters.sql.database import open_engine

    open_engine(database_url, upgrade=True).dispose()
    return database_url
