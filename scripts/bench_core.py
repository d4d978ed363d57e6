"""What every benchmark section shares: its results, and the registry bench.py runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass(frozen=True)
class Result:
    section: str
    case: str
    value: float  # the median of the runs
    worst: float
    unit: str
    runs: int
    target: float | None = None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.value < self.target else "OVER TARGET"


@dataclass(frozen=True)
class Section:
    name: str
    about: str
    run: Callable[[bool], list[Result]]


SECTIONS: dict[str, Section] = {}


def section(name: str, about: str) -> Callable[[Callable[[bool], list[Result]]], Callable]:
    def register(run: Callable[[bool], list[Result]]) -> Callable[[bool], list[Result]]:
        SECTIONS[name] = Section(name, about, run)
        return run

    return register


@contextmanager
def sandbox_process(root: Path, faults: list[dict[str, Any]] | None = None) -> Iterator[str]:
    """The sandbox tenant in a process of its own, as Graph is: its CPU work (building a
    500-recipient message) must not be billed to the product. Yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    env |= {"COMMS_ASSISTANT_HOME": str(root)}
    if faults:
        env["COMMS_ASSISTANT_SANDBOX_FAULTS"] = json.dumps(faults)
    exe = Path(sys.executable).parent / "comms-assistant"
    process = subprocess.Popen(
        [str(exe), "sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/_sandbox/log", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def request_log(base: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{base}/_sandbox/log", timeout=30).json()["value"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
