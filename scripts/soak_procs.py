"""The soak's processes: `comms-assistant` workers SIGKILLed and started again, and commands
arriving from several `comms-assistant run` processes at once."""

from __future__ import annotations

import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REFERENCE = re.compile(r"INC-\d{4}-\d{4,}")
# What `run` answers when the unit of work lost a race four times (service/retries.py).
LOST_RACE = "at the same moment; send it again"


def cli() -> list[str]:
    installed = Path(sys.executable).parent / "comms-assistant"
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-m", "comms_assistant.entrypoints.cli"]


class Worker:
    """A `comms-assistant` process (the worker, or `serve`), killed without warning and started
    again. `log`: where its stderr goes, every start's appended, for the tracebacks count
    (None: nowhere)."""

    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        log: Path | None = None,
        command: str = "worker",
        port: int | None = None,
    ) -> None:
        self.env, self.cwd, self.log, self.kills = env, cwd, log, 0
        self.command, self.port = command, port
        self.restarting = threading.Lock()  # the killer's thread and the load balancer's
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        err = self.log.open("ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                [*cli(), self.command], env=self.env, cwd=self.cwd,
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        finally:
            if self.log:
                err.close()  # type: ignore[union-attr]

    def restart(self) -> None:
        with self.restarting:
            self.kill()
            self.start()

    def ready(self) -> bool:
        """Started and, for `serve`, answering on its port."""
        if self.process is None or self.process.poll() is not None:
            return False
        if self.port is None:
            return True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1


class Killer(threading.Thread):
    """Each worker SIGKILLed and started again at random intervals of its own, counted from
    when it is ready: on a loaded machine `serve` can take longer to start than the interval,
    and kills counted from the start kept both bot instances starting for minutes on end."""

    def __init__(
        self, workers: list[Worker], every: tuple[float, float], rng: random.Random
    ) -> None:
        super().__init__(daemon=True)
        self.workers, self.every, self.rng = workers, every, rng
        self.stopped = threading.Event()

    def run(self) -> None:
        due: list[float | None] = [None for _ in self.workers]
        while not self.stopped.wait(0.2):
            for i, worker in enumerate(self.workers):
                kill_at = due[i]
                if kill_at is None:
                    if worker.ready():
                        due[i] = time.monotonic() + self.rng.uniform(*self.every)
                elif time.monotonic() >= kill_at:
                    worker.restart()
                    due[i] = None

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def issue_concurrently(
    numbers: list[int],
    lifecycle: Callable[[int], list[str]],
    *,
    who: str,
    env: dict[str, str],
    cwd: Path,
    processes: int,
    seed_value: int,
) -> list[Path]:
    """The lifecycles of the incidents `numbers` through `comms-assistant run --no-wait`, from
    `processes` threads at once, each taking its share of the incidents with their steps
    interleaved (so `processes` commands run at once, on different incidents). Returns the
    stderr logs."""
    errors: list[str] = []
    logs = [cwd / f"run-{k}.err" for k in range(processes)]

    def issue(k: int) -> None:
        rng = random.Random(seed_value + 100 + k)
        mine = [n for i, n in enumerate(numbers) if i % processes == k]
        refs: dict[int, str] = {}
        try:
            for step in range(len(lifecycle(0))):
                for n in mine:
                    args = [*cli(), "run", lifecycle(n)[step], "--as", who, "--no-wait"]
                    if step:
                        args += ["--incident", refs[n]]
                    out = _run(args, env, cwd, logs[k])
                    if step == 0:
                        found = REFERENCE.search(out)
                        if not found:
                            raise RuntimeError(f"no reference in the open's reply: {out}")
                        refs[n] = found.group(0)
                    time.sleep(rng.uniform(0.0, 0.2))
        except Exception as error:  # reported after the join, the soak stops
            errors.append(f"issuer {k}: {error}")

    threads = [threading.Thread(target=issue, args=(k,)) for k in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit("the soak's own commands failed:\n" + "\n".join(errors))
    return logs


def _run(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> str:
    """One command; a lost race (the unit of work's retries used up) is sent again, as the
    reply asks."""
    for _ in range(5):
        done = subprocess.run(
            args, env=env, cwd=cwd, capture_output=True, text=True, timeout=180
        )  # fmt: skip
        with log.open("a", encoding="utf-8") as err:
            err.write(done.stderr)
        if done.returncode == 0 and "send anyway" not in done.stdout:
            return done.stdout
        if LOST_RACE not in done.stdout:
            raise RuntimeError(f"{args[-4:]} refused ({done.returncode}): {done.stdout}")
        time.sleep(0.5)
    raise RuntimeError(f"{args[-4:]} lost its race 5 times: {done.stdout}")
