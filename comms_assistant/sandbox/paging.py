"""One page of a Graph collection, with `@odata.nextLink` to the next as Graph gives it.

The client follows the link as given, so the sandbox's own `$skip` in it stands for Graph's
opaque `$skiptoken`. `most` is the largest `$top` the real endpoint accepts (Teams messages: 50);
more is refused with 400, as Graph does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from comms_assistant.sandbox.odata import GraphError
from comms_assistant.sandbox.routing import base_url, decoded_path

Item = TypeVar("Item")


def page_of(
    request: web.Request,
    found: Sequence[Item],
    shown: Callable[[Item], Any],
    *,
    default: int,
    most: int | None = None,
) -> dict[str, Any]:
    query = request.query
    try:
        top, skip = int(query.get("$top", str(default))), int(query.get("$skip", "0"))
    except ValueError:
        raise GraphError(400, "BadRequest", "$top and $skip must be whole numbers.") from None
    if most is not None and top > most:
        raise GraphError(400, "BadRequest", f"The maximum allowed $top value is {most}.")
    body: dict[str, Any] = {"value": [shown(item) for item in found[skip : skip + top]]}
    if skip + top < len(found):
        params = {**query, "$skip": str(skip + top), "$top": str(top)}
        body["@odata.nextLink"] = f"{base_url(request)}{decoded_path(request)}?{urlencode(params)}"
    return body
