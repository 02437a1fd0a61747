"""Security rules that apply to every response, and the check that keeps `next` on this site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from microblog.errors import error_response
from microblog.services.avatars import GRAVATAR_HOST

F = TypeVar("F", bound=Callable[..., Any])


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site: `/x?y` yes; `//evil`, `/\\evil`, `https://evil` no."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or char == "\\" for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_return_page(target: str | None) -> bool:
    """A safe `next` (see is_safe_next) that is also a page: an address of this site that
    answers GET. A form's address (POST only) would end on a 405 after the redirect."""
    if not is_safe_next(target):
        return False
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(urlsplit(target).path, method="GET")
    except RequestRedirect:
        return True  # e.g. a missing trailing slash: the redirect gets there
    except HTTPException:  # NotFound, MethodNotAllowed
        return False
    return True


def content_security_policy() -> str:
    # Gravatar's images are allowed as well: it is the site's provider, or one a user may
    # choose on their profile.
    img_src = f"'self' data: {GRAVATAR_HOST}"
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {img_src}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def nul_in_query_is_text(view: F) -> F:
    """Mark a view whose query arguments may hold NUL: it reads them as text that a NUL
    cannot harm (the search box: whatever is pasted into it gives results or none)."""
    view.nul_in_query_is_text = True  # type: ignore[attr-defined]
    return view


def refuse_files_and_nul() -> Response | None:
    """No form of this site takes a file: one sent where text belongs is refused before a
    form reads it. Nor does any address hold a NUL character, which PostgreSQL cannot even
    compare with (query arguments and path parts reach the database)."""
    if request.files:
        return error_response(
            400, message=_("This form takes only text; files cannot be sent with it.")
        )
    view = current_app.view_functions.get(request.endpoint or "")
    if "\x00" in request.path or (
        not getattr(view, "nul_in_query_is_text", False)
        and any("\x00" in key + value for key, value in request.args.items(multi=True))
    ):
        return error_response(400, message=_("The address contains a character it cannot hold."))
    return None


class WithoutNamelessParts(Request):
    """A request without the parts of a multipart body that have no name: Werkzeug keeps
    them under the key None, on which Flask-WTF's CSRF check fails with a 500 before any
    view runs. A part without a name is no field of any form."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for name in ("form", "files"):
            values = self.__dict__[name]
            if any(key is None for key in values):
                named = [(k, v) for k, v in values.items(multi=True) if k is not None]
                self.__dict__[name] = ImmutableMultiDict(named)


def init_app(app: Flask) -> None:
    # On top of the request class the app has (htmx-flask's, which adds request.htmx).
    app.request_class = type(
        "SiteRequest", (WithoutNamelessParts, app.request_class), {"__module__": __name__}
    )
    # After CSRFProtect's check (registered first): a forged request fails on its token.
    app.before_request(refuse_files_and_nul)
    app.after_request(set_security_headers)
