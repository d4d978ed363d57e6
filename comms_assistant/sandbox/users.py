"""The tenant's directory: who is in it, and `GET /users/{id | userPrincipalName}`.

People are the Bot Connector's directory (bot_connector.USERS and whoever was added with
`POST /_sandbox/users`), the sandbox service account, and the shared mailboxes (which are
user objects in Entra ID too, with no licence and sign-in blocked). Calendars and Planner
assignments refer to people by these object ids and addresses.

`GET /users/{id}` needs User.ReadBasic.All (or User.Read.All), as in Graph: 403
Authorization_RequestDenied otherwise, 404 Request_ResourceNotFound for someone unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

from comms_assistant.sandbox import bot_connector, grants, seed
from comms_assistant.sandbox.odata import GraphError, json_ok
from comms_assistant.sandbox.routing import Router

_READ_ROLES = ("User.ReadBasic.All", "User.Read.All", "Directory.Read.All")


@dataclass(frozen=True)
class Person:
    id: str  # the Entra object id
    name: str
    mail: str
    shared: bool = False  # a shared mailbox: no licence, nobody signs in

    def to_json(self) -> dict[str, object]:
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.id,
            "displayName": self.name,
            "givenName": None if self.shared else given,
            "surname": None if self.shared else surname or None,
            "mail": self.mail,
            "userPrincipalName": self.mail,
        }


def register(router: Router) -> None:
    router.add("GET", r"/v1\.0/users/(?P<user>[^/]+)", get_user)


def everyone(request: web.Request) -> list[Person]:
    people = [
        Person(p["aadObjectId"], p["name"], p["email"]) for p in bot_connector.directory(request)
    ]
    people.append(Person(seed.SERVICE_ACCOUNT_ID, seed.SERVICE_ACCOUNT_NAME, seed.SERVICE_ACCOUNT))
    people += [
        Person(seed.SHARED_MAILBOX_IDS[m], seed.SHARED_MAILBOX_NAMES[m], m, shared=True)
        for m in seed.MAILBOXES
    ]
    return people


def find(request: web.Request, key: str) -> Person | None:
    """Someone by object id or address (user principal name), case-insensitively."""
    wanted = key.strip().lower()
    return next((p for p in everyone(request) if wanted in (p.id.lower(), p.mail.lower())), None)


async def get_user(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    denied = GraphError(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )
    grants.require(request, _READ_ROLES, _READ_ROLES, denied)
    person = find(request, match["user"])
    if person is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{match['user']}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
    return json_ok(person.to_json())
