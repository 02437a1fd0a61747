"""Profiles: the profile header, follower counts, the follow button, the edit form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from htpy import Element, Node, a, button, dd, div, dl, dt, form, h1, li, p, section, span, ul
from markupsafe import escape
from wtforms import Form

from templates.avatars import avatar
from templates.dates import timestamp
from templates.forms import csrf_input, field, form_errors
from templates.hx import hx_form

PROFILE_AVATAR_SIZE = 128
COUNTS_FIELD = "counts"
COUNTS_VALS = json.dumps({COUNTS_FIELD: "1"})


class Person(Protocol):
    """Whom a follow button or the follower counts are about."""

    id: int
    username: str


class ProfileUser(Person, Protocol):
    about_me: str | None
    last_seen: datetime


class ListedPerson(NamedTuple):
    """Someone in a list of people: their name, the start of their about me, their avatar."""

    username: str
    about_me: str | None
    avatar_url: str


def people_list(people: Sequence[ListedPerson]) -> Element:
    """Avatars and names linking to profiles, each with the start of their about me."""
    return ul(".people-list")[
        [
            li(".person")[
                avatar(src=person.avatar_url, username=person.username, size=40, alt=""),
                div(".person-main")[
                    a(".person-name", href=url_for("main.user", username=person.username))[
                        person.username
                    ],
                    span(".person-about")[person.about_me] if person.about_me else None,
                ],
            ]
            for person in people
        ]
    ]


class Stats(Protocol):
    followers: int
    following: int
    posts: int
    followed_by_viewer: bool


def follow_counts(*, user: Person, stats: Stats) -> Element:
    """Follower and following counts, linking to those lists; a follow button takes the new
    counts from its answer by id (see follow_button)."""
    return p(".follow-counts", id=f"follow-counts-{user.id}")[
        a(href=url_for("main.followers", username=user.username))[
            ngettext("%(num)d follower", "%(num)d followers", stats.followers)
        ],
        " · ",
        a(href=url_for("main.following", username=user.username))[
            # TRANSLATORS: on a profile, how many people this user follows.
            ngettext("following %(num)d user", "following %(num)d users", stats.following)
        ],
        " · ",
        ngettext("%(num)d post", "%(num)d posts", stats.posts),
    ]


def follow_button(
    *, user: Person, following: bool, focus: bool = False, counts: bool = False
) -> Element:
    """A form with only the CSRF token and a button that says what it will do.

    With htmx the answer (the new form and counts) replaces the form; `counts` also takes the
    counts from it, for where they are shown (a profile, a user card), since a list of people
    has none to update. `focus` marks the new button for htmx to focus after it replaced the
    one that was pressed, so a keyboard user keeps their place."""
    if following:
        action, text = url_for("main.unfollow", username=user.username), _("Unfollow")
    else:
        action, text = url_for("main.follow", username=user.username), _("Follow")
    return form(
        ".follow-form",
        id=f"follow-form-{user.id}",
        hx_select=f"#follow-form-{user.id}",
        hx_select_oob=f"#follow-counts-{user.id}" if counts else None,
        # So that the form that replaces this one takes the counts too (htmx only: a browser
        # without it gets a new page anyway).
        hx_vals=COUNTS_VALS if counts else None,
        **hx_form(action),
    )[
        csrf_input(),
        button(type="submit", class_="secondary" if following else None, autofocus=focus)[text],
    ]


def block_button(*, user: Person, blocked: bool) -> Element:
    """Block or unblock `user`: a plain form (what the page offers changes, so no htmx)."""
    if blocked:
        action, text = url_for("main.unblock", username=user.username), _("Unblock")
    else:
        action, text = url_for("main.block", username=user.username), _("Block")
    return form(".block-form", action=action, method="post")[
        csrf_input(), button(".secondary", type="submit")[text]
    ]


class Relation(Protocol):
    """What the viewer may do about a user."""

    is_self: bool
    can_follow: bool  # logged in, someone else, and neither blocks the other
    blocked: bool  # the viewer blocks this user


def profile_actions(*, user: Person, stats: Stats, relation: Relation) -> Node:
    """Edit one's own profile; or follow, message and block someone else."""
    if relation.is_self:
        return a(".button", href=url_for("main.edit_profile"))[_("Edit your profile")]
    if relation.blocked:
        return div(".profile-actions")[block_button(user=user, blocked=True)]
    if not relation.can_follow:
        return None
    return div(".profile-actions")[
        follow_button(user=user, following=stats.followed_by_viewer, counts=True),
        a(".button.secondary", href=url_for("main.send_message", recipient=user.username))[
            _("Send message")
        ],
        block_button(user=user, blocked=False),
    ]


def profile_header(
    *,
    user: ProfileUser,
    avatar_url: str,
    stats: Stats,
    relation: Relation,
    login_url: str | None = None,
) -> Element:
    """Avatar, name, about me, last seen, counts, and what the viewer can do here; a visitor
    learns that logging in (at `login_url`) lets them follow."""
    actions = profile_actions(user=user, stats=stats, relation=relation)
    if actions is None and login_url:
        login_link = a(href=login_url)[_("Log in")]
        actions = p(".visitor-hint")[
            # TRANSLATORS: on a profile, to a visitor; %(login)s is a link named "Log in".
            escape(_("%(login)s to follow %(username)s."))
            % {"login": login_link, "username": user.username}
        ]
    return section(".profile", aria_labelledby="profile-name")[
        avatar(src=avatar_url, username=user.username, size=PROFILE_AVATAR_SIZE, alt=""),
        div(".profile-main")[
            h1("#profile-name")[user.username],
            p(".about-me", dir="auto")[user.about_me] if user.about_me else None,
            dl(".profile-facts")[
                # TRANSLATORS: followed by a time, e.g. "3 minutes ago" or a date.
                dt[_("Last seen")],
                dd[timestamp(user.last_seen)],
            ],
            follow_counts(user=user, stats=stats),
            actions,
        ],
    ]


def edit_profile_page(form_: Form, *, timezone_in_use: str, account: Node = None) -> Element:
    """The profile form; the hint under the time zone says which one dates use now. Below
    it, `account`: the account settings (password, email, sessions)."""
    return div(".narrow")[
        h1[_("Edit your profile")],
        form(action=url_for("main.edit_profile"), method="post")[
            csrf_input(),
            form_errors(form_),
            field(form_.username, autocomplete="username"),
            field(
                form_.about_me,
                hint=_("Up to %(max)d characters.", max=form_.about_me.flags.maxlength),
                dir="auto",
                rows=4,
            ),
            field(form_.language),
            field(
                form_.timezone,
                # TRANSLATORS: %(timezone)s is a time zone's IANA name, e.g. Europe/Madrid.
                hint=_(
                    "Dates on this site are shown in the time zone %(timezone)s.",
                    timezone=timezone_in_use,
                ),
            ),
            field(form_.theme),
            field(
                form_.avatar,
                hint=_(
                    "Gravatar shows the picture you keep at gravatar.com for your email "
                    "address; its server then sees who looks at your avatar."
                ),
            ),
            button(type="submit")[_("Save")],
        ],
        account,
    ]


def profile_page(*, header: Element, posts: Element, export: Element | None = None) -> Element:
    """A profile: its header, on one's own the export of one's posts, and the posts."""
    return div[header, export, posts]
