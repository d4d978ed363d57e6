"""The bot with the last good contacts directory, profile and glossary: before each command the
files are looked at again (cheaply: adapters/last_good.py), a new mistake is told once, and the
command service, the gate and the renderer are built again when what they use changed."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from comms_assistant.entrypoints import bad_edits
from comms_assistant.entrypoints.bot.policy import Gate, Membership

if TYPE_CHECKING:
    from comms_assistant.bootstrap import App
    from comms_assistant.entrypoints.bot.turns import Turns


class EditedFiles:
    """`Turns.before`: commands run on several threads at once, one looks at the files."""

    def __init__(self, app: App, team: Membership) -> None:
        self.app, self.team = app, team
        self._lock = threading.Lock()
        self.version = bad_edits.look_again(app)  # with no good copy, `serve` refuses here

    def parts(self) -> dict[str, Any]:
        """What Turns has from the files: its command service, gate and renderer."""
        from comms_assistant.adapters.render import Renderer

        app, directory = self.app, self.app.files.directory()
        service = app.commands()
        return {
            "service": service,
            "gate": Gate.from_settings(
                app.engine,
                app.settings,
                directory.contacts,
                security_roles=directory.routing.security,
                priority_names=service.planner.policy.priority_names(),
                team=self.team,
            ),
            "renderer": Renderer(
                app.templates_dir,
                app.tz,
                service_names=directory.service_names(),
                people=directory.people_names(),
            ),
            "service_names": directory.service_names(),
        }

    def __call__(self, turns: Turns) -> None:
        with self._lock:
            version = bad_edits.look_again(self.app)
            if version == self.version:
                return
            for name, value in self.parts().items():
                setattr(turns, name, value)
            self.version = version
