"""The activity page: who followed you and who wrote to you, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, a, div, h1, h2, li, ol, p, section, span
from markupsafe import escape

from templates.avatars import avatar
from templates.dates import timestamp
from templates.pager import ListPage, PageURL, list_pager

EVENT_AVATAR_SIZE = 32


class EventView(Protocol):
    id: int
    kind: str
    at: datetime
    body: str | None
    unread: bool
    user_id: int
    username: str
    email: str


def activity_items(events: list[EventView], *, avatars: Mapping[int, str]) -> list[Element]:
    followed = escape(_("%(username)s started following you."))
    wrote = escape(_("%(username)s sent you a message."))
    new = _("New")
    items = []
    for event in events:
        who = a(href=url_for("main.user", username=event.username))[event.username]
        if event.kind == "follow":
            text, more = followed % {"username": who}, None
        else:
            text = wrote % {"username": who}
            more = p(".event-message")[
                a(href=url_for("main.conversation", username=event.username))[
                    span(dir="auto")[event.body]
                ]
            ]
        items.append(
            li(class_=["event", f"event-{event.kind}"])[
                avatar(
                    src=avatars[event.user_id],
                    username=event.username,
                    size=EVENT_AVATAR_SIZE,
                    alt="",
                ),
                div(".event-main")[
                    p(".event-text")[
                        text,
                        " ",
                        timestamp(event.at),
                        (" ", span(".new-marker")[new]) if event.unread else None,
                    ],
                    more,
                ],
            ]
        )
    return items


def activity_section(
    *, page: ListPage, url_for_page: PageURL, avatars: Mapping[int, str], focus: bool = False
) -> Element:
    return section("#activity", aria_labelledby="activity-heading")[
        h2("#activity-heading", tabindex="-1", autofocus=focus)[_("Recent activity")],
        ol(".activity-list")[activity_items(page.items, avatars=avatars)],
        p(".empty-state")[_("Nothing yet: new followers and messages will show here.")]
        if not page.items
        else None,
        list_pager(
            page=page,
            url_for_page=url_for_page,
            target="#activity",
            newer=_("Newer"),
            older=_("Older"),
        ),
    ]


def activity_page(*, activity: Element) -> Element:
    return div[h1[_("Activity")], activity]
