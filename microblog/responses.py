"""Responses that are a whole page for a browser and a fragment for htmx: the one place that
looks at whether a request came from htmx. Views call these helpers and never branch on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, urlsplit

from flask import (
    Response,
    current_app,
    flash,
    g,
    get_flashed_messages,
    make_response,
    request,
    url_for,
)
from flask import redirect as flask_redirect
from flask_babel import gettext as _
from flask_login import current_user
from htpy import Node, fragment

from microblog.locales import language_name
from microblog.models import User
from microblog.services.avatars import avatar_url
from microblog.themes import select_theme, visitor_theme
from microblog.unread import unread_messages
from templates.layout import SideColumn, announcer_oob, document_title, flashes_oob, page
from templates.messages import unread_badge
from templates.users import ListedPerson

# The avatars of the header, the side column and lists of people (shown at 32-48 px).
SMALL_AVATAR_SIZE = 48

# Pages of features that teammates may not have built yet: the navigation links to each one
# only when the site has a page at its address.
FEATURE_PATHS = {"search": "/search", "messages": "/messages", "activity": "/activity"}


def _swaps_part_of_a_page() -> bool:
    """An htmx request that will swap part of a page (not a boosted or history-restore load)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def announce(text: str) -> None:
    """Queue a screen-reader announcement for the next htmx response."""
    g.setdefault("announcements", []).append(text)


def render(
    fragment_: Node,
    *,
    page_title: str | None = None,
    page_content: Node = None,
    oob: Iterable[Node] = (),
    status: int = 200,
    headers: dict[str, str] | None = None,
    retitle: bool = False,
    database: bool = True,
) -> Response:
    """The fragment alone for htmx (plus flashes, announcements and `oob` extras), else
    `page_content` (default: the fragment) inside the site layout, titled `page_title` (the
    site's name alone when there is none). `retitle` gives the fragment the page's <title> for
    htmx to show (for a fragment that changes the address: a page of a list).

    `database=False` is for the page of a database outage: it asks the database nothing, so
    it shows the frame as to a visitor, without people to follow or ways to log in.
    """
    if not database:
        return _render_without_database(fragment_, page_title, page_content, status, headers)
    if _swaps_part_of_a_page():
        messages = get_flashed_messages(with_categories=True)
        announcements = [*g.get("announcements", []), *(text for _category, text in messages)]
        extras = [document_title(page_title)] if retitle else []
        extras.extend(oob)
        # What someone does supersedes the messages about what they did before (as a page
        # after a plain form's redirect shows only the new ones); reading does not.
        if messages or request.method != "GET":
            extras.append(flashes_oob(messages))
        if announcements:
            extras.append(announcer_oob(" ".join(announcements)))
        if current_user.is_authenticated:
            # Loaded with the user: keeping the badge current costs no query.
            extras.append(unread_badge(count=unread_messages(), oob=True))
        body = str(fragment[fragment_, extras])
    else:
        content = fragment_ if page_content is None else page_content
        features = site_features()
        viewer = current_user if current_user.is_authenticated else None
        body = str(
            page(
                page_title=page_title or "",
                content=content,
                viewer=current_user,
                current_path=request.path,
                flashes=get_flashed_messages(with_categories=True),
                languages=[(code, language_name(code)) for code in current_app.config["LANGUAGES"]],
                back_to=request.full_path.rstrip("?"),
                theme=select_theme(),
                features=features,
                side=SideColumn(
                    suggestions=listed_people(User.suggestions_for(viewer)),
                    join_card=request.endpoint not in {"auth.login", "auth.register"},
                    viewer_avatar_url=avatar_url(
                        user_id=viewer.id,
                        email=viewer.email,
                        size=SMALL_AVATAR_SIZE,
                        provider=viewer.avatar,
                    )
                    if viewer
                    else None,
                ),
                unread_messages=unread_messages(),
            )
        )
    response = make_response(body, status, headers or {})
    response.vary.add("HX-Request")
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _render_without_database(
    fragment_: Node,
    page_title: str | None,
    page_content: Node,
    status: int,
    headers: dict[str, str] | None,
) -> Response:
    """render() for when the database cannot be reached: nothing here loads the user (their
    session may name one), and the answer is never stored by a cache."""
    if _swaps_part_of_a_page():
        body = str(fragment_)
    else:
        visitor = current_app.login_manager.anonymous_user()
        features = site_features()
        body = str(
            page(
                page_title=page_title or "",
                content=fragment_ if page_content is None else page_content,
                viewer=visitor,
                current_path=request.path,
                flashes=[],
                languages=[(code, language_name(code)) for code in current_app.config["LANGUAGES"]],
                back_to=request.full_path.rstrip("?"),
                theme=visitor_theme(),
                features=features,
                side=SideColumn(join_card=False),
                ways_in=False,
            )
        )
    response = make_response(body, status, headers or {})
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def _from_first_page() -> bool:
    """Whether htmx sent the request from the first page of a list (or a page that is no
    list): its HX-Current-URL has no later page number and no cursor."""
    query = parse_qs(urlsplit(request.headers.get("HX-Current-URL", "")).query)
    return query.get("page", ["1"]) == ["1"] and not ({"before", "after"} & query.keys())


def after_change(
    fragment_: Node,
    *,
    redirect_to: str,
    message: str,
    category: str = "success",
    announcement: str | None = None,
    oob: Iterable[Node] = (),
    reload_unless_first_page: bool = False,
    leave_page: bool = False,
) -> Response:
    """The answer to a change that was made. For htmx: `fragment_`, the updated part, with
    the `oob` parts, and `announcement` for screen readers (when there is none, `message` is
    shown as a flash and announced). For a browser: `message` flashed and a 303 to
    `redirect_to` (post/redirect/get). With `reload_unless_first_page`, htmx on a later page
    of a list than the first goes to `redirect_to` too, as a whole page: the change shows on
    page 1 (a new post), not on the page the reader was on. With `leave_page`, htmx always
    goes there: the change took away the page the reader was on (a post deleted on its own
    page)."""
    if not _swaps_part_of_a_page():
        flash(message, category)
        return flask_redirect(redirect_to, 303)
    if leave_page or (reload_unless_first_page and not _from_first_page()):
        flash(message, category)
        return htmx_redirect(redirect_to)
    if announcement is None:
        flash(message, category)
    else:
        announce(announcement)
    return render(fragment_, oob=oob)


def reader_page() -> str:
    """The address (path and query) of the page the reader is looking at: for htmx swapping
    part of a page, the page htmx was on; else the address asked for."""
    if _swaps_part_of_a_page():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return current.path + (f"?{current.query}" if current.query else "")
    return request.full_path.rstrip("?")


def leave_page(url: str, *, message: str, category: str = "success") -> Response:
    """After a change that leaves nothing to show where it was made (a deleted account):
    `message` flashed, and the reader sent to `url`; a 303 for a browser, HX-Redirect for
    htmx (which cannot follow a 3xx into a whole page)."""
    flash(message, category)
    if _swaps_part_of_a_page():
        return htmx_redirect(url)
    return flask_redirect(url, 303)


def page_turn(number: int) -> bool:
    """Whether this request turns the page of a list in place (htmx paging). Then the reader
    hears "Page N" and the list's heading should take focus: True; for a whole page, False."""
    if not _swaps_part_of_a_page():
        return False
    announce(_("Page %(number)d", number=number))
    return True


def canonical_redirect(url: str) -> Response | None:
    """A permanent redirect to `url`, the address of what was asked for under another name;
    None for htmx, which would swap the target into the page (the view answers in place)."""
    if _swaps_part_of_a_page() or request.method != "GET":
        return None
    return flask_redirect(url, 308)


def redirect_with_return(url_with_return: Callable[[str | None], str]) -> Response:
    """Send the reader to another page that brings them back afterwards (the login page):
    a 303 for a browser, HX-Redirect for htmx (which cannot follow a 3xx into a whole page).
    `url_with_return(path)` gives that page's URL, coming back to `path` (the page htmx was
    on, or the address asked for)."""
    if _swaps_part_of_a_page():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back_to = current.path + (f"?{current.query}" if current.query else "")
        return htmx_redirect(url_with_return(back_to))
    return flask_redirect(url_with_return(request.full_path.rstrip("?")), 303)


def listed_people(users: Iterable[User]) -> list[ListedPerson]:
    """`users` as a list of people shows them."""
    return [
        ListedPerson(
            user.username,
            user.about_me,
            avatar_url(
                user_id=user.id, email=user.email, size=SMALL_AVATAR_SIZE, provider=user.avatar
            ),
        )
        for user in users
    ]


def site_features() -> dict[str, str]:
    """The URLs of the optional pages this site has (see FEATURE_PATHS), by name."""
    endpoints = {rule.rule: rule.endpoint for rule in current_app.url_map.iter_rules()}
    return {
        name: url_for(endpoints[path]) for name, path in FEATURE_PATHS.items() if path in endpoints
    }


def htmx_redirect(url: str) -> Response:
    """Send an htmx request to another page (htmx cannot see a 3xx)."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    response.vary.add("HX-Request")
    return response
