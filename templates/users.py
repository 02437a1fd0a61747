"""Profiles: the profile header, follower counts, the follow button, the edit form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from htpy import Element, Node, a, button, dd, div, dl, dt, form, h1, li, p, section, span, ul
from wtforms import Form

from templates.avatars import avatar
from templates.dates import timestamp
from templates.forms import csrf_input, field, form_errors
from templates.hx import hx_form

PROFILE_AVATAR_SIZE = 128


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


def follow_counts(*, user: Person, stats: Stats, oob: bool = False) -> Element:
    """Follower and following counts; htmx replaces it out of band after (un)following."""
    return p(
        ".follow-counts",
        id=f"follow-counts-{user.id}",
        hx_swap_oob="true" if oob else None,
    )[
        ngettext("%(num)d follower", "%(num)d followers", stats.followers),
        " · ",
        # TRANSLATORS: on a profile, how many people this user follows.
        ngettext("following %(num)d user", "following %(num)d users", stats.following),
        " · ",
        ngettext("%(num)d post", "%(num)d posts", stats.posts),
    ]


def follow_button(*, user: Person, following: bool, focus: bool = False) -> Element:
    """A form with only the CSRF token and a button that says what it will do.

    `focus` marks the new button for htmx to focus after it replaced the one that was pressed,
    so a keyboard user keeps their place."""
    if following:
        action, text = url_for("main.unfollow", username=user.username), _("Unfollow")
    else:
        action, text = url_for("main.follow", username=user.username), _("Follow")
    return form(".follow-form", id=f"follow-form-{user.id}", **hx_form(action))[
        csrf_input(),
        button(type="submit", class_="secondary" if following else None, autofocus=focus)[text],
    ]


def profile_header(
    *, user: ProfileUser, avatar_url: str, stats: Stats, is_self: bool, can_follow: bool
) -> Element:
    """Avatar, name, about me, last seen, counts, and what the viewer can do here."""
    if is_self:
        action: Node = a(".button", href=url_for("main.edit_profile"))[_("Edit your profile")]
    elif can_follow:
        action = follow_button(user=user, following=stats.followed_by_viewer)
    else:
        action = None
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
            action,
        ],
    ]


def edit_profile_page(form_: Form, *, timezone_in_use: str) -> Element:
    """The profile form; the hint under the time zone says which one dates use now."""
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
            button(type="submit")[_("Save")],
        ],
    ]


def profile_page(*, header: Element, posts: Element) -> Element:
    return div[header, posts]
