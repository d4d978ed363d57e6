"""The Microsoft Graph adapter: documents (SharePoint), mail (Outlook), Teams, via msgraph-sdk.

`build_graph_adapters` is the one entry point the composition root calls. Importing this
package is cheap: msgraph-sdk is imported only when the adapters are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from comms_assistant import heap
from comms_assistant.config import SettingsError

if TYPE_CHECKING:
    from comms_assistant.adapters.graph.calendar import GraphCalendar
    from comms_assistant.adapters.graph.files import GraphDocumentStore
    from comms_assistant.adapters.graph.mail import GraphMailer
    from comms_assistant.adapters.graph.planner import GraphTaskBoard
    from comms_assistant.adapters.graph.teams import GraphTeamsPoster
    from comms_assistant.adapters.teams_transports import BotSend, TeamsRouter
    from comms_assistant.config import Settings
    from comms_assistant.service.send_slots import SendSlots


@dataclass
class GraphAdapters:
    documents: GraphDocumentStore
    mailer: GraphMailer
    # Teams: the router over the bot / Graph / webhook transports, and its Graph transport.
    teams: TeamsRouter | GraphTeamsPoster
    teams_graph: GraphTeamsPoster | None = field(repr=False, default=None)
    client: Any = field(repr=False, default=None)
    credential: Any = field(repr=False, default=None)
    # Teams' own client and (delegated) credential when they differ from the ones above.
    teams_client: Any = field(repr=False, default=None)
    teams_credential: Any = field(repr=False, default=None)
    # The meetings' organiser's calendar and the actions' plan (None: not set up).
    calendar: GraphCalendar | None = None
    board: GraphTaskBoard | None = None

    async def aclose(self) -> None:
        """Close the SDK's connection pools and the credentials (safe to call twice)."""
        from comms_assistant.adapters.graph.client import close_client

        for client in (self.client, self.teams_client):
            if client is not None:
                await close_client(client)
        await self.documents.aclose()
        for credential in (self.credential, self.teams_credential):
            close = getattr(credential, "close", None)
            if callable(close):
                close()
        self.client = self.teams_client = self.credential = self.teams_credential = None


def build_graph_adapters(
    settings: Settings,
    graph_url: str | None = None,
    token_url: str | None = None,
    *,
    bot_send: BotSend | None = None,
    send_slots: SendSlots | None = None,
) -> GraphAdapters:
    """The adapters for `settings`.

    `graph_url` defaults to `settings.graph_url`; for the sandbox tenant pass its `graph_url`
    and `token_url` (then the sandbox's token endpoint is used instead of Entra ID).
    `bot_send`: the bot's proactive sender, when running inside `comms-assistant serve`
    (see adapters/teams_transports.py).
    `send_slots`: the store's, so Graph's Teams posts keep to a channel's 4 a second together
    with every other process posting there (without it, this process counts its own).
    """
    from comms_assistant.adapters.graph.calendar import GraphCalendar
    from comms_assistant.adapters.graph.client import make_graph_client
    from comms_assistant.adapters.graph.credentials import credential_for, teams_credential_for
    from comms_assistant.adapters.graph.files import GraphDocumentStore
    from comms_assistant.adapters.graph.mail import GraphMailer
    from comms_assistant.adapters.graph.planner import GraphTaskBoard
    from comms_assistant.adapters.graph.teams import GraphTeamsPoster, SharedPace
    from comms_assistant.adapters.teams_transports import build_teams_delivery

    url = graph_url or settings.graph_url
    if not url:
        raise SettingsError(
            "no Graph URL: start the sandbox tenant or set COMMS_ASSISTANT_GRAPH_URL"
        )
    credential = credential_for(settings, token_url=token_url)
    client = make_graph_client(settings, url, credential)
    heap.freeze_once()  # msgraph is imported now: see comms_assistant/heap.py
    # Posting to a channel needs a delegated token (an app-only one gets 401): Teams gets its
    # own client when there is a delegated credential (the sandbox's account, or teams_account
    # signed in with `comms-assistant graph login`).
    teams_credential = teams_credential_for(settings, token_url=token_url)
    teams_client = make_graph_client(settings, url, teams_credential) if teams_credential else None
    pace = SharedPace(send_slots) if send_slots is not None else None
    graph_teams = GraphTeamsPoster(
        teams_client or client, settings.team_id, settings.channel_id, pace=pace
    )
    return GraphAdapters(
        documents=GraphDocumentStore(client, settings.site, settings.library),
        mailer=GraphMailer(client, settings.mailbox),
        teams=build_teams_delivery(settings, graph_teams, bot_send=bot_send),
        teams_graph=graph_teams,
        client=client,
        credential=credential,
        teams_client=teams_client,
        teams_credential=teams_credential,
        calendar=GraphCalendar(client, settings.organiser) if settings.organiser else None,
        # Planner as the service account where there is one: a member of the plan's group, it
        # reaches that group's plans only (delegated Tasks.ReadWrite); else the app's own
        # Tasks.ReadWrite.All, which reaches every plan (docs/setup.md, 'Follow-up actions').
        board=GraphTaskBoard(teams_client or client, settings.plan) if settings.plan else None,
    )


__all__ = ["GraphAdapters", "build_graph_adapters"]
