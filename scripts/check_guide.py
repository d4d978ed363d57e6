"""Run the commands of docs/setup.md against the sandbox tenant, as the guide's reader would.

Fenced blocks are marked in their info string (docs/development.md, "The setup guide is tested"):

- ```` ```sh run ````: run in order, each block as one `bash -eo pipefail` script, in a throwaway
  copy of the guide's folders (/etc/comms-assistant, /var/lib/comms-assistant and
  /var/backups/comms-assistant mapped under a temporary folder, `SOURCE` the repository, no
  tenant set: the sandbox). Any non-zero exit fails the check.
- ```` ```sh run-postgres ````: the same with COMMS_ASSISTANT_DATABASE_URL set to the database
  given with --database-url (a throwaway one); without it they are listed as not run.
- ```` ```sh ````: changes to the machine (users, systemd, pip) that are not run; each
  `comms-assistant` command in them must parse (it is given `--help`).
- ```` ```toml ````: what to put in comms-assistant.toml; it must be TOML naming real settings.

Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "setup.md"
# The guide's folders are those of deploy/'s units; the check runs them under a throwaway folder.
FOLDERS = ("/etc/comms-assistant", "/var/lib/comms-assistant", "/var/backups/comms-assistant")
HOME, WORK = FOLDERS[1], FOLDERS[0]
SH_MARKERS = {"", "run", "run-postgres"}
FENCE = re.compile(r"^(\s*)```(\S*)\s*(.*)$")


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    language: str
    marker: str
    text: str


def blocks(markdown: str) -> list[Block]:
    """The fenced blocks, with their language and marker (the info string's first two words)."""
    found: list[Block] = []
    opened: tuple[int, str, str, str] | None = None  # line, indent, language, marker
    body: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        fence = FENCE.match(line)
        if opened is None and fence:
            opened = (number, fence.group(1), fence.group(2), fence.group(3).strip())
            body = []
        elif opened is not None and line.strip() == "```":
            found.append(Block(opened[0], opened[2], opened[3], "\n".join(body) + "\n"))
            opened = None
        elif opened is not None:
            body.append(line.removeprefix(opened[1]))
    if opened is not None:
        found.append(Block(opened[0], opened[2], "unclosed", ""))
    return found


def commands(text: str) -> list[list[str]]:
    """Each command line of a shell block as words (continuations joined, comments dropped)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [words for line in joined.splitlines() if (words := shlex.split(line, comments=True))]


def cli_words(words: list[str]) -> list[str] | None:
    """The arguments of a `comms-assistant` command (after VAR=value assignments), or None."""
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        words = words[1:]
    if words and words[0] == "comms-assistant":
        return words[1:]
    return None


def parses(args: list[str]) -> str | None:
    """None when `comms-assistant ARGS` is a command the CLI takes; else why not."""
    from typer.testing import CliRunner

    from comms_assistant.entrypoints.cli import app

    result = CliRunner().invoke(app, [*args, "--help"])
    if result.exit_code == 0:
        return None
    # click's message is the last line of its box (typer draws one with rich).
    said = [line.strip("│╭╰─╮╯ ") for line in (result.output or str(result.exception)).splitlines()]
    return [line for line in said if line][-1]


def check_toml(block: Block) -> str | None:
    from comms_assistant.config import Settings

    try:
        values = tomllib.loads(block.text)
    except tomllib.TOMLDecodeError as error:
        return f"not valid TOML: {error}"
    unknown = sorted(set(values) - set(Settings.model_fields))
    return f"not settings: {', '.join(unknown)}" if unknown else None


class Sandbox:
    """The throwaway folders and environment the run blocks see."""

    def __init__(self, top: Path, database_url: str | None) -> None:
        self.top = top
        for folder in FOLDERS:
            self.mapped(folder).mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        # The installed comms-assistant beside this Python comes first, as on the reader's PATH.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env |= {"SOURCE": str(ROOT), "COMMS_ASSISTANT_HOME": str(self.mapped(HOME))}
        self.env = env
        self.database_url = database_url

    def mapped(self, folder: str) -> Path:
        return self.top / folder.lstrip("/")

    def script(self, text: str) -> str:
        for folder in FOLDERS:
            text = text.replace(folder, str(self.mapped(folder)))
        return text

    def run(self, block: Block) -> tuple[int, str]:
        env = dict(self.env)
        if block.marker == "run-postgres":
            env["COMMS_ASSISTANT_DATABASE_URL"] = str(self.database_url)
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", self.script(block.text)],
            cwd=self.mapped(WORK),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.returncode, done.stdout + done.stderr


def check(guide: Path, database_url: str | None, postgres_only: bool) -> int:
    found = blocks(guide.read_text())
    failures = 0
    ran = 0

    def say(ok: bool, block: Block, what: str, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        mark = "✓" if ok else "✗"
        print(f" {mark} {guide.name}:{block.line}  {what}")
        if detail:
            print("     " + detail.rstrip().replace("\n", "\n     "))

    with tempfile.TemporaryDirectory(prefix="comms-assistant-guide-") as top:
        sandbox = Sandbox(Path(top), database_url)
        for block in found:
            if block.marker == "unclosed":
                say(False, block, "a fence that is never closed")
            elif block.language == "toml" and not postgres_only:
                problem = check_toml(block)
                say(problem is None, block, "toml: settings", problem or "")
            elif block.language == "sh" and block.marker not in SH_MARKERS:
                say(False, block, f"sh {block.marker}: unknown marker", "use run or run-postgres")
            elif block.language == "sh" and block.marker == "" and not postgres_only:
                for words in commands(block.text):
                    if (args := cli_words(words)) is not None:
                        why = parses(args)
                        say(why is None, block, f"parses: {shlex.join(words)}", why or "")
            elif block.language == "sh" and block.marker == "run-postgres" and not database_url:
                print(f" - {guide.name}:{block.line}  sh run-postgres: not run (no --database-url)")
            elif block.language == "sh" and (
                block.marker == "run-postgres" or (block.marker == "run" and not postgres_only)
            ):
                ran += 1
                status, output = sandbox.run(block)
                lines = [line.strip() for line in block.text.splitlines()]
                said = f"sh {block.marker}: " + "; ".join(
                    line for line in lines if line and not line.startswith("#")
                )
                say(status == 0, block, said[:150], "" if status == 0 else output[-3000:])
    if ran == 0:
        print(f"No block of {guide} was run: is a ```sh run marker missing?")
        failures += 1
    print(f"{'All checks passed' if failures == 0 else f'{failures} check(s) failed'}.")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guide", type=Path, default=GUIDE)
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database (postgresql://...) for the run-postgres blocks",
    )
    parser.add_argument(
        "--postgres-only", action="store_true", help="run only the run-postgres blocks"
    )
    options = parser.parse_args()
    if options.postgres_only and not options.database_url:
        parser.error("--postgres-only needs --database-url")
    if shutil.which("bash") is None:
        parser.error("bash is needed to run the guide's commands")
    return check(options.guide, options.database_url, options.postgres_only)


if __name__ == "__main__":
    sys.exit(main())
