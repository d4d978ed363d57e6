"""`comms-assistant graph check`: find out before an incident whether the tenant is ready.

Each step runs the product's own adapters against the configured tenant (or the sandbox) and
prints ✓, ✗ (with what to fix), ! (works, but worth a look) or - (skipped). Nothing reaches
anyone unless asked: the test mail goes only to `--send-test-mail`, the Teams card only with
`--teams`. The test file is written to the reports folders and deleted again.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import TYPE_CHECKING

from comms_assistant.entrypoints.graph_check_steps import (
    BROADER_ROLES,
    FAIL,
    MAIL_FIX,
    NEEDED_ROLES,
    PASS,
    SECURITY_FOLDER_FIX,
    SETTINGS_FIX,
    SITE_FIX,
    SKIP,
    WARN,
    CheckerBase,
    Step,
    sign_in_fix,
    status_of,
    token_roles,
)
from comms_assistant.entrypoints.graph_check_work import check_work

if TYPE_CHECKING:
    from comms_assistant.bootstrap import App


class Checker(CheckerBase):
    async def run(self, *, send_test_mail: str | None, teams: bool) -> list[Step]:
        if self.sign_in():
            if await self.files():
                await self.write_and_delete(self.settings.reports_folder, "write and delete a file")
                if self.security_folder_ok:
                    await self.write_and_delete(
                        self.settings.security_reports_folder,
                        "write and delete a file (security folder)",
                    )
            await self.mail(send_test_mail)
            await check_work(self)
        await self.teams(post=teams)
        return self.steps

    def sign_in(self) -> bool:
        from comms_assistant.adapters.graph.client import cloud_mismatch, scopes_for

        s = self.settings
        if not s.uses_sandbox and (mismatch := cloud_mismatch(self.graph_url, s.login_host)):
            return self.add(FAIL, "cloud", mismatch, "set graph_url and login_host together")
        try:
            token = self.adapters.credential.get_token(*scopes_for(self.graph_url)).token
        except Exception as error:  # noqa: BLE001 - any sign-in failure is reported, not raised
            detail = getattr(error, "message", None) or type(error).__name__
            return self.add(FAIL, "sign-in (app)", str(detail).splitlines()[0], sign_in_fix(error))
        self.add(PASS, "sign-in (app)", f"app {s.client_id} in tenant {s.tenant_id}")
        if not s.uses_sandbox:
            roles = token_roles(token)
            broader = sorted(roles & BROADER_ROLES)
            missing = sorted(NEEDED_ROLES - roles)
            if broader:
                self.add(
                    WARN,
                    "permissions",
                    f"broader than needed: {', '.join(broader)}",
                    "remove them from the app's API permissions; grant mail through Exchange "
                    "RBAC for Applications instead (docs/setup.md, 'The mailbox')",
                )
            if missing:
                self.add(
                    WARN,
                    "permissions",
                    f"not granted: {', '.join(missing)}",
                    "add them and grant admin consent (docs/setup.md, 'Register the app')",
                )
        return True

    async def files(self) -> bool:
        s, docs = self.settings, self.adapters.documents
        if not await self.site():
            return False
        if s.uses_sandbox:  # the sandbox provisions itself, as the dispatcher does
            from comms_assistant.word_templates import publish_templates

            with contextlib.suppress(Exception):  # if it fails, the template steps say so
                await publish_templates(self.app, docs, only_missing=True)
        ok = True
        for folder in (s.templates_folder, s.reports_folder):
            ok &= await self.found(folder, f"folder {folder!r}", f"create it in {s.library}")
        # Not part of `ok`: without it only security incidents' documents cannot be filed.
        self.security_folder_ok = await self.security_folder()
        for name in (s.report_template, s.review_template, s.major_incident_template):
            path = f"{s.templates_folder}/{name}"
            await self.found(path, f"template {name!r}", "comms-assistant templates publish")
        return ok

    async def site(self) -> bool:
        """The site and its library resolve."""
        s = self.settings
        try:
            await self.adapters.documents._drive()  # noqa: SLF001 - resolving them is the check
        except Exception as error:  # noqa: BLE001
            status, text = status_of(error), str(error)
            if status in {401, 403}:
                fix = SITE_FIX.format(site=s.site, client_id=s.client_id)
                return self.add(FAIL, "site", f"HTTP {status} on /sites/{s.site}", fix)
            if "library" in text:
                return self.add(FAIL, "library", text, "set library to one of those names")
            return self.add(FAIL, "site", text, "check site (hostname:/sites/path)")
        self.add(PASS, "site", s.site)
        return self.add(PASS, "library", s.library)

    async def found(self, path: str, step: str, fix: str) -> bool:
        """A step for whether `path` is in the library."""
        found = await self.adapters.documents.get_by_path(path)
        return self.add(PASS if found else FAIL, step, "" if found else "missing", fix)

    async def security_folder(self) -> bool:
        """The folder a security incident's documents go in: there, and not the shared one.
        Who can read it is not checked (the assistant neither reads nor sets permissions), so
        the detail reminds the administrator; the test write then shows the app still may."""
        s, docs = self.settings, self.adapters.documents
        folder, step = s.security_reports_folder, f"folder {s.security_reports_folder!r}"
        if folder.strip("/") == s.reports_folder.strip("/"):
            self.add(
                WARN,
                step,
                "security incidents' documents go in the reports folder everyone reads",
                "set security_reports_folder to a folder only the security team can read",
            )
            return False  # already written to as the reports folder
        if await docs.get_by_path(folder) is None:
            return self.add(FAIL, step, "missing", SECURITY_FOLDER_FIX.format(library=s.library))
        return self.add(
            PASS, step, "for security incidents: make sure only the security team can open it"
        )

    async def write_and_delete(self, folder: str, step: str) -> None:
        from comms_assistant.adapters.graph.client import literal_url, segment

        s, docs = self.settings, self.adapters.documents
        name = f"comms-assistant check {uuid.uuid4().hex[:8]}.txt"
        try:
            item = await docs.upload(folder, name, b"pre-flight check; safe to delete")
            client = self.adapters.client
            drive = await docs._drive()  # noqa: SLF001
            url = literal_url(client, f"drives/{segment(drive)}/items/{segment(item.id)}")
            await (
                client.drives.by_drive_id(drive)
                .items.by_drive_item_id(item.id)
                .with_url(url)
                .delete()
            )
        except Exception as error:  # noqa: BLE001
            fix = "the site grant must be write, not read: " + SITE_FIX.format(
                site=s.site, client_id=s.client_id
            )
            self.add(FAIL, step, str(error)[:200], fix)
            return
        self.add(PASS, step, f"in {folder!r}")

    async def mail(self, send_to: str | None) -> None:
        from comms_assistant.service.ports import OutgoingMail, Recipient

        mailbox, mailer = self.settings.mailbox, self.adapters.mailer
        try:
            await mailer.was_sent(f"comms-assistant-check-{uuid.uuid4()}")
            self.add(PASS, "search Sent Items", mailbox)
        except Exception as error:  # noqa: BLE001
            self.add(FAIL, "search Sent Items", str(error)[:200], self._mail_fix(error, "read"))
        if not send_to:
            self.add(SKIP, "send mail", "not tried: add --send-test-mail you@example.org")
            return
        delivery_id = f"comms-assistant-check-{uuid.uuid4()}"
        text = "This is comms-assistant's pre-flight check: the mailbox can send."
        mail = OutgoingMail(
            delivery_id=delivery_id,
            subject="comms-assistant pre-flight check",
            html=f"<p>{text}</p>",
            text=text,
            to=(Recipient(send_to),),
        )
        try:
            await mailer.send(mail)
        except Exception as error:  # noqa: BLE001
            self.add(FAIL, "send mail", str(error)[:200], self._mail_fix(error, "send"))
            return
        self.add(PASS, "send mail", f"from {mailbox} to {send_to}")

    def _mail_fix(self, error: BaseException, kind: str) -> str:
        if status_of(error) == 404:
            return f"no mailbox {self.settings.mailbox}: check mailbox (a licensed or shared one)"
        return MAIL_FIX[kind].format(mailbox=self.settings.mailbox)

    async def teams(self, *, post: bool) -> None:
        from comms_assistant.entrypoints.graph_check_teams import check_teams

        await check_teams(self, post=post)


def report(steps: list[Step]) -> str:
    width = max((len(step.name) for step in steps), default=0)
    lines = []
    for step in steps:
        lines.append(f" {step.mark} {step.name.ljust(width)}  {step.detail}".rstrip())
        if step.mark in {FAIL, WARN} and step.fix:
            lines.append(f"   {' ' * width}  fix: {step.fix}")
    counts = {mark: sum(step.mark == mark for step in steps) for mark in (PASS, FAIL, WARN, SKIP)}
    lines.append(
        f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[WARN]} to look at, "
        f"{counts[SKIP]} not tried."
    )
    return "\n".join(lines)


async def check(app: App, *, send_test_mail: str | None, teams: bool) -> list[Step]:
    from comms_assistant.sandbox.reach import SandboxNotAnswering

    try:
        async with app.graph_endpoint() as (graph_url, token_url):
            return await _check(app, graph_url, token_url, send_test_mail, teams)
    except SandboxNotAnswering as error:
        # "The sandbox ... is not answering (...). Start it ..., or unset sandbox_url ..."
        said, _, fix = str(error).partition(". ")
        return [Step(FAIL, "sandbox", said, fix)]


async def _check(
    app: App, graph_url: str, token_url: str | None, send_test_mail: str | None, teams: bool
) -> list[Step]:
    from comms_assistant.adapters.graph import build_graph_adapters

    try:
        adapters = build_graph_adapters(app.settings, graph_url, token_url)
    except (ValueError, OSError) as error:
        return [Step(FAIL, "settings", str(error), SETTINGS_FIX)]
    try:
        return await Checker(app, adapters, graph_url).run(
            send_test_mail=send_test_mail, teams=teams
        )
    finally:
        await adapters.aclose()


def graph_check(*, send_test_mail: str | None = None, teams: bool = False) -> int:
    """Print the checks; 0 when nothing failed, 1 otherwise."""
    from comms_assistant.bootstrap import bootstrap

    app = bootstrap()
    s = app.settings
    where = "the sandbox tenant" if s.uses_sandbox else f"{s.graph_url} (tenant {s.tenant_id})"
    print(f"Checking {where} for app {s.client_id}:")
    steps = asyncio.run(check(app, send_test_mail=send_test_mail, teams=teams))
    print(report(steps))
    return 1 if any(step.mark == FAIL for step in steps) else 0
