"""Responses that are a whole page for a browser and a fragment for htmx."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Response, current_app, g, get_flashed_messages, make_response, request
from flask_login import current_user
from htpy import Node, fragment

from microblog.locales import language_name
from templates.layout import announcer_oob, flashes_oob, page


def wants_fragment() -> bool:
    """An htmx request that will swap part of a page (not a boosted or history-restore load)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def announce(text: str) -> None:
    """Queue a screen-reader announcement for the next htmx response."""
    g.setdefault("announcements", []).append(text)


def render(
    fragment_: Node,
    *,
    page_title: str,
    page_content: Node | Callable[[], Node] = None,
    oob: Iterable[Node] = (),
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The fragment alone for htmx (plus flashes, announcements and `oob` extras), else
    `page_content` (default: the fragment) inside the site layout.

    `page_content` may be a function that builds it: it is then called only for a full page,
    so an htmx request does not pay for (or query) what it will not show.
    """
    if wants_fragment():
        messages = get_flashed_messages(with_categories=True)
        announcements = [*g.get("announcements", []), *(text for _category, text in messages)]
        extras = [*oob]
        if messages:
            extras.append(flashes_oob(messages))
        if announcements:
            extras.append(announcer_oob(" ".join(announcements)))
        body = str(fragment[fragment_, extras])
    else:
        body = str(
            page(
                page_title=page_title,
                content=fragment_ if page_content is None else page_content,
                viewer=current_user,
                current_path=request.path,
                flashes=get_flashed_messages(with_categories=True),
                languages=[(code, language_name(code)) for code in current_app.config["LANGUAGES"]],
                back_to=request.full_path.rstrip("?"),
            )
        )
    response = make_response(body, status, headers or {})
    response.vary.add("HX-Request")
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def htmx_redirect(url: str) -> Response:
    """Send an htmx request to another page (htmx cannot see a 3xx)."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    response.vary.add("HX-Request")
    return response
