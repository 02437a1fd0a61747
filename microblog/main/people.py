"""Views for lists of people, blocking, and the user card shown on hover."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htpy import Element

from microblog.errors import error_response
from microblog.extensions import db
from microblog.main import bp
from microblog.main.paging import requested_page
from microblog.models import User, follow_stats
from microblog.models.block import block as block_user
from microblog.models.block import relation_from
from microblog.models.block import unblock as unblock_user
from microblog.models.keyset import KeysetPage
from microblog.models.people import ListedPerson, people_page
from microblog.responses import canonical_redirect, page_turn, render
from microblog.services.avatars import avatar_url
from templates.people import (
    CARD_AVATAR_SIZE,
    LIST_AVATAR_SIZE,
    follow_actions,
    people_section,
    unblock_actions,
    user_card,
    user_card_page,
)
from templates.people import (
    people_page as people_page_view,
)


def avatars_of(people: Iterable[tuple[int, str]], size: int) -> dict[int, str]:
    """Avatar URLs by user id, for (id, email) pairs."""
    return {
        user_id: avatar_url(user_id=user_id, email=email, size=size) for user_id, email in people
    }


def load_people(kind: str, owner: User) -> KeysetPage[ListedPerson]:
    """The requested page of `owner`'s list `kind`; a page past the end is a 404."""
    viewer = current_user if current_user.is_authenticated else None
    return requested_page(partial(people_page, kind, owner, viewer=viewer))


def _people_section(page: KeysetPage[ListedPerson], **options: object) -> Element:
    return people_section(
        page=page,
        avatars=avatars_of(((p.id, p.email) for p in page.items), LIST_AVATAR_SIZE),
        focus=page_turn(page.number),
        **options,
    )


def _people_of(username: str, kind: str) -> Response:
    owner = User.by_username(username) or abort(404)
    if owner.username != username:
        moved = canonical_redirect(
            url_for(request.endpoint, username=owner.username, **request.args)
        )
        if moved is not None:
            return moved
    page = load_people(kind, owner)
    if kind == "followers":
        title = _("People following %(username)s", username=owner.username)
        heading = _("Followers")
        empty = _("Nobody follows %(username)s yet.", username=owner.username)
    else:
        title = _("People %(username)s follows", username=owner.username)
        heading = _("Following")
        empty = _("%(username)s does not follow anyone yet.", username=owner.username)
    people = _people_section(
        page,
        heading=heading,
        empty_text=empty,
        url_for_page=lambda number, **cursor: url_for(
            f"main.{kind}", username=owner.username, page=number, **cursor
        ),
        actions=follow_actions(
            page, viewer_id=current_user.id if current_user.is_authenticated else None
        ),
    )
    return render(
        people,
        page_content=lambda: people_page_view(title=title, back_to=owner, people=people),
        page_title=title,
    )


@bp.route("/user/<username>/followers")
def followers(username: str) -> Response:
    """The people who follow a user, the newest follower first."""
    return _people_of(username, "followers")


@bp.route("/user/<username>/following")
def following(username: str) -> Response:
    """The people a user follows, the latest followed first."""
    return _people_of(username, "following")


@bp.route("/blocked")
@login_required
def blocked() -> Response:
    """The people you block, with a button to unblock each."""
    page = load_people("blocked", current_user)
    title = _("Blocked users")
    people = _people_section(
        page,
        heading=_("People you block"),
        empty_text=_("You do not block anyone."),
        url_for_page=lambda number, **cursor: url_for("main.blocked", page=number, **cursor),
        actions=unblock_actions(page),
    )
    return render(
        people,
        page_content=lambda: people_page_view(title=title, back_to=None, people=people),
        page_title=title,
    )


def _block_change(username: str, *, block: bool) -> Response:
    """Block or unblock someone, then back to their profile (post/redirect/get)."""
    target = User.by_username(username)
    if target is None:
        return error_response(
            404, message=_("There is no user called %(username)s.", username=username)
        )
    if target.id == current_user.id:
        message = _("You cannot block yourself.") if block else _("You cannot unblock yourself.")
        return error_response(
            400, message=message, back_to=url_for("main.user", username=target.username)
        )
    if block:
        block_user(current_user, target)
        message = _(
            "You block %(username)s: they cannot follow you or send you messages.",
            username=target.username,
        )
    else:
        unblock_user(current_user, target)
        message = _("You do not block %(username)s anymore.", username=target.username)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("main.user", username=target.username), 303)


@bp.route("/block/<username>", methods=["POST"])
@login_required
def block(username: str) -> Response:
    """Block a user: they stop following you and cannot follow or message you."""
    return _block_change(username, block=True)


@bp.route("/unblock/<username>", methods=["POST"])
@login_required
def unblock(username: str) -> Response:
    """Stop blocking a user."""
    return _block_change(username, block=False)


@bp.route("/user/<username>/popup")
@login_required
def user_popup(username: str) -> Response:
    """A user's card: the fragment shown on hover for htmx, a page of its own otherwise."""
    user = User.by_username(username) or abort(404)
    stats = follow_stats(user, current_user)
    card = user_card(
        user=user,
        avatar_url=avatar_url(user_id=user.id, email=user.email, size=CARD_AVATAR_SIZE),
        stats=stats,
        relation=relation_from(current_user, user, stats),
    )
    return render(
        card,
        page_content=lambda: user_card_page(user=user, card=card),
        page_title=user.username,
    )
