"""Lists of people (followers, following, blocked) and the user card shown on hover."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, Node, a, dd, div, dl, dt, h1, h2, li, ol, p, section

from templates.avatars import avatar
from templates.dates import timestamp
from templates.pager import ListPage, PageURL, list_pager
from templates.users import (
    ProfileUser,
    Relation,
    Stats,
    block_button,
    follow_button,
    follow_counts,
)

LIST_AVATAR_SIZE = 48
CARD_AVATAR_SIZE = 64


class Person(Protocol):
    id: int
    username: str
    email: str
    about_me: str | None
    since: datetime
    followed_by_viewer: bool


def person_row(*, person: Person, avatar_url: str, action: Node) -> Element:
    """One person in a list: avatar, name (a link to their profile), about me, a button."""
    return li(".person", id=f"person-{person.id}")[
        avatar(src=avatar_url, username=person.username, size=LIST_AVATAR_SIZE, alt=""),
        div(".person-main")[
            a(".person-name", href=url_for("main.user", username=person.username))[person.username],
            p(".about-me", dir="auto")[person.about_me] if person.about_me else None,
        ],
        action,
    ]


def people_section(
    *,
    page: ListPage,
    heading: str,
    empty_text: str,
    url_for_page: PageURL,
    avatars: Mapping[int, str],
    actions: Mapping[int, Node],
    focus: bool = False,
) -> Element:
    """The swappable list of people with its heading and pager; `avatars` and `actions` hold
    each person's avatar URL and button by id. `focus`: htmx focuses the heading after turning
    the page."""
    return section("#people", aria_labelledby="people-heading")[
        h2("#people-heading", tabindex="-1", autofocus=focus)[heading],
        ol(".people-list")[
            [
                person_row(
                    person=person, avatar_url=avatars[person.id], action=actions.get(person.id)
                )
                for person in page.items
            ]
        ],
        p(".empty-state")[empty_text] if not page.items else None,
        list_pager(
            page=page,
            url_for_page=url_for_page,
            target="#people",
            # TRANSLATORS: pager links of a list of people, newest first.
            newer=_("Newer"),
            older=_("Older"),
        ),
    ]


def follow_actions(page: ListPage, *, viewer_id: int | None) -> Mapping[int, Node]:
    """A follow button for everyone listed but the viewer (none for a visitor)."""
    if viewer_id is None:
        return {}
    return {
        person.id: follow_button(user=person, following=person.followed_by_viewer)
        for person in page.items
        if person.id != viewer_id
    }


def unblock_actions(page: ListPage) -> Mapping[int, Node]:
    return {person.id: block_button(user=person, blocked=True) for person in page.items}


def people_page(*, title: str, back_to: ProfileUser | None, people: Element) -> Element:
    """A page around a list of people, with a link back to whose list it is."""
    return div[
        h1[title],
        p[
            a(href=url_for("main.user", username=back_to.username))[
                _("Back to %(username)s's profile", username=back_to.username)
            ]
        ]
        if back_to
        else None,
        people,
    ]


def user_card(*, user: ProfileUser, avatar_url: str, stats: Stats, relation: Relation) -> Element:
    """What hovering or focusing a username shows: who they are, their counts, and a follow
    button and message link that work inside the card."""
    if relation.can_follow:
        actions: Node = div(".user-card-actions")[
            follow_button(user=user, following=stats.followed_by_viewer, counts=True),
            a(".button.secondary", href=url_for("main.send_message", recipient=user.username))[
                _("Send message")
            ],
        ]
    else:
        actions = None
    return div(
        ".user-card",
        id=f"user-card-{user.id}",
        role="group",
        aria_label=_("About %(username)s", username=user.username),
    )[
        avatar(src=avatar_url, username=user.username, size=CARD_AVATAR_SIZE, alt=""),
        div(".user-card-main")[
            a(".user-card-name", href=url_for("main.user", username=user.username))[user.username],
            p(".about-me", dir="auto")[user.about_me] if user.about_me else None,
            dl(".profile-facts")[dt[_("Last seen")], dd[timestamp(user.last_seen)]],
            follow_counts(user=user, stats=stats),
            actions,
        ],
    ]


def user_card_page(*, user: ProfileUser, card: Element) -> Element:
    """The card as a page of its own, for a browser without JavaScript."""
    return div(".narrow")[h1[user.username], card]
