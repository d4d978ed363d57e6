"""Build the Teams app package (a zip of manifest.json and two icons) for the comms bot.

    python scripts/build_teams_app.py [--out comms-assistant-teams.zip] [--version 1.0.0]

The bot id comes from the bot_app_id setting (COMMS_ASSISTANT_BOT_APP_ID or comms-assistant.toml).
Upload the zip in Teams: Apps > Manage your apps > Upload an app (or the Teams admin centre).
Icons are drawn here (no image library needed): a 192 px colour icon and a 32 px white outline.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path

SCHEMA_VERSION = "1.22"  # the current app manifest schema when this was written
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x1D, 0x70, 0xB8)  # GOV.UK blue

COMMANDS = [
    ("help", "List the commands, with examples"),
    ("status", "Show the incident now"),
    ("open", "Declare an incident: open <title> p1|p2|p3|p4 impact: ..."),
    ("update", "Send a stakeholder update: update <what people can and cannot do>"),
    ("comms me", "Make yourself the comms lead"),
    ("close", "Resolve it: close <what fixed it>"),
]


def manifest(bot_id: str, version: str, website: str) -> dict:
    return {
        "$schema": SCHEMA,
        "manifestVersion": SCHEMA_VERSION,
        "version": version,
        "id": bot_id,  # reusing the bot's app id keeps one id to manage
        "developer": {
            "name": "comms-assistant",
            "websiteUrl": website,
            "privacyUrl": f"{website.rstrip('/')}/privacy",
            "termsOfUseUrl": f"{website.rstrip('/')}/terms",
        },
        "name": {"short": "Incident comms", "full": "Incident communications assistant"},
        "description": {
            "short": "Run incident communications from Teams.",
            "full": "Declare incidents, keep the running Word report current, send plain-English "
            "updates by email and Teams, and file the incident review, by talking to the bot "
            "in the incident channel or a chat.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["team", "groupChat", "personal"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [
                    {
                        "scopes": ["team", "groupChat", "personal"],
                        "commands": [{"title": t, "description": d} for t, d in COMMANDS],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def png(size: int, pixel) -> bytes:  # type: ignore[no-untyped-def]
    """An RGBA PNG whose pixel (x, y) is pixel(x, y) -> (r, g, b, a)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _mark(x: float, y: float) -> bool:
    """A speech bubble with an exclamation mark, in a unit square."""
    bubble = (
        0.12 <= x <= 0.88
        and 0.14 <= y <= 0.70
        or (0.25 <= x <= 0.42 and 0.70 <= y <= 0.86 - (x - 0.25))
    )
    bang = 0.46 <= x <= 0.54 and (0.22 <= y <= 0.50 or 0.56 <= y <= 0.63)
    return bubble and not bang


def icons() -> tuple[bytes, bytes]:
    white, clear = (255, 255, 255, 255), (0, 0, 0, 0)
    color = png(192, lambda x, y: white if _mark(x / 192, y / 192) else (*ACCENT, 255))
    outline = png(32, lambda x, y: white if _mark(x / 32, y / 32) else clear)
    return color, outline


def build(out: Path, bot_id: str, version: str, website: str) -> Path:
    color, outline = icons()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(bot_id, version, website), indent=2))
        package.writestr("color.png", color)
        package.writestr("outline.png", outline)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("comms-assistant-teams.zip"))
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--website", default="https://github.com/comms-assistant/comms-assistant")
    parser.add_argument("--bot-id", help="Overrides the bot_app_id setting.")
    args = parser.parse_args(argv)
    bot_id = args.bot_id
    if not bot_id:
        from comms_assistant.config import Settings

        bot_id = Settings().bot_app_id
    if not bot_id:
        print("Set COMMS_ASSISTANT_BOT_APP_ID (the bot's Microsoft App ID) first.", file=sys.stderr)
        return 2
    print(f"Wrote {build(args.out, bot_id, args.version, args.website)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
