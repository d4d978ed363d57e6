"""Build a msgraph-sdk `GraphServiceClient` pointed at a real tenant or at the sandbox tenant.

msgraph is imported inside the functions: it costs 0.2-0.5 s and ~50 MB, which `--help` and
the unit tests should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

from comms_assistant.config import SettingsError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from msgraph import GraphServiceClient

    from comms_assistant.config import Settings

GRAPH_URL = "https://graph.microsoft.com/v1.0"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def scopes_for(graph_url: str) -> list[str]:
    """The `.default` scope of the Graph cloud we talk to (national clouds have their own)."""
    host = urlparse(graph_url).hostname or ""
    if host in _LOOPBACK:
        # The sandbox issues tokens for the public Graph resource, like the real thing would.
        return ["https://graph.microsoft.com/.default"]
    return [f"https://{host}/.default"]


# Sign-in host -> Graph hosts of the same national cloud
# (https://learn.microsoft.com/graph/deployments). A token from one cloud is refused by another.
CLOUDS = {
    "login.microsoftonline.com": ("graph.microsoft.com",),
    "login.microsoftonline.us": ("graph.microsoft.us", "dod-graph.microsoft.us"),
    "login.chinacloudapi.cn": ("microsoftgraph.chinacloudapi.cn",),
}


def cloud_mismatch(graph_url: str, login_host: str) -> str | None:
    """Why `graph_url` and `login_host` belong to different clouds, or None when they agree
    (or when either host is not a Microsoft one we know, e.g. the sandbox)."""
    graph_host = urlparse(graph_url).hostname or ""
    expected = CLOUDS.get(login_host.lower())
    known_graph = {host for hosts in CLOUDS.values() for host in hosts}
    if expected is None or graph_host not in known_graph or graph_host in expected:
        return None
    return (
        f"graph_url is on {graph_host} but login_host is {login_host}: use "
        f"{' or '.join(expected)} with it, or the login host of {graph_host}'s cloud"
    )


def make_graph_client(
    settings: Settings, graph_url: str, credential: TokenCredential
) -> GraphServiceClient:
    """A client whose requests go to `graph_url` and carry a token only to that host."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    parsed = urlparse(graph_url)
    if not parsed.hostname:
        raise SettingsError(f"graph_url must be an absolute URL, got {graph_url!r}")
    # An explicit allow-list: a host not on it gets no Authorization header (so a copy monitor
    # or download URL on another host never sees our token). msgraph-core's own provider
    # raises with its defaults (msgraph-sdk-python-core#917), so kiota's is used directly.
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=scopes_for(graph_url), allowed_hosts=[parsed.hostname]
    )
    adapter = GraphRequestAdapter(auth)
    # Not the httpx client's base_url: that yields "/v1.0//users/..." (see PLATFORM-FACTS).
    adapter.base_url = graph_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter)


def base_url(client: GraphServiceClient) -> str:
    return str(client.request_adapter.base_url).rstrip("/")


def literal_url(client: GraphServiceClient, path: str) -> str:
    """An absolute URL for `.with_url(...)`; `path` is already percent-encoded where needed."""
    return f"{base_url(client)}/{path.lstrip('/')}"


def segment(value: str) -> str:
    """Percent-encode one path segment (an id, a mailbox) the way Graph expects."""
    return quote(value, safe="")


def path_in_url(path: str) -> str:
    """Percent-encode a library path for `root:/<path>:` addressing, keeping the slashes."""
    return quote(path.strip("/"), safe="/")


def no_retry_config(**kwargs: Any) -> Any:
    """A RequestConfiguration with kiota's retry handler switched off.

    kiota retries 429/503/504 for POST too; a 503 after Exchange or Teams accepted the message
    would then send it twice. The product's outbox retries instead, after checking what was sent.
    """
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_http.middleware.options import RetryHandlerOption

    return RequestConfiguration(options=[RetryHandlerOption(should_retry=False)], **kwargs)


async def close_client(client: GraphServiceClient) -> None:
    """Close the httpx client behind the SDK (it holds a connection pool)."""
    http_client = getattr(client.request_adapter, "_http_client", None)
    if http_client is not None:
        await http_client.aclose()
