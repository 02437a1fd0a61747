"""Private messages: the form, one conversation, the list of conversations, the unread badge."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from htpy import (
    Element,
    Node,
    a,
    article,
    button,
    div,
    form,
    h1,
    h2,
    header,
    li,
    ol,
    p,
    section,
    span,
    strong,
)
from markupsafe import escape
from wtforms import Form

from templates.avatars import avatar
from templates.dates import timestamp
from templates.forms import csrf_input, field, form_errors
from templates.hx import hx_form
from templates.icons import icon
from templates.pager import ListPage, PageURL, list_pager
from templates.people import LIST_AVATAR_SIZE


class Correspondent(Protocol):
    id: int
    username: str
    email: str


class MessageView(Protocol):
    id: int
    body: str
    timestamp: datetime
    sender_id: int
    read_at: datetime | None


class ConversationView(Protocol):
    id: int
    other_id: int
    other_username: str
    other_email: str
    body: str
    timestamp: datetime
    sent_by_me: bool
    unread: int


def message_form(
    form_: Form, *, recipient: Correspondent, sent: bool = False, focus: bool = False
) -> Element:
    """The form to write to `recipient`, above the conversation. With htmx it replaces itself
    (emptied, with a confirmation, after sending) and adds the message sent to the top of the
    list. `focus` returns the keyboard to the textarea."""
    attrs = hx_form(url_for("main.send_message", recipient=recipient.username))
    attrs["hx-select"] = "#message-form"
    attrs["hx-select-oob"] = "#message-list:afterbegin"
    return form("#message-form.message-form", **attrs)[
        csrf_input(),
        p(".confirmation")[
            _("Your message to %(username)s has been sent.", username=recipient.username)
        ]
        if sent
        else None,
        form_errors(form_),
        field(
            form_.message,
            hint=_("Up to %(max)d characters.", max=form_.message.flags.maxlength),
            rows=3,
            autofocus=focus,
            dir="auto",
        ),
        # TRANSLATORS: the button that sends a private message (a verb).
        button(type="submit")[pgettext("button", "Send")],
    ]


def message_items(messages: list[MessageView], *, me: int, other: Correspondent) -> list[Element]:
    """The messages of a conversation; those the reader had not opened yet say "New"."""
    you = _("You")
    new = _("New")
    items = []
    for message in messages:
        mine = message.sender_id == me
        items.append(
            li(
                class_=["message", "message-sent" if mine else "message-received"],
                id=f"message-{message.id}",
            )[
                article(aria_labelledby=f"message-{message.id}-by")[
                    header(".message-meta", id=f"message-{message.id}-by")[
                        strong[you if mine else other.username],
                        " ",
                        timestamp(message.timestamp),
                        (" ", span(".new-marker")[new])
                        if not mine and message.read_at is None
                        else None,
                    ],
                    p(".message-body", dir="auto")[message.body],
                ]
            ]
        )
    return items


def conversation_section(
    *,
    page: ListPage,
    me: int,
    other: Correspondent,
    url_for_page: PageURL,
    focus: bool = False,
) -> Element:
    """The messages between the reader and `other`, newest first, with a pager."""
    return section("#messages", aria_labelledby="messages-heading")[
        h2("#messages-heading", tabindex="-1", autofocus=focus)[_("Messages")],
        ol("#message-list.message-list")[message_items(page.items, me=me, other=other)],
        p(".empty-state")[_("No messages yet. Say hello!")],
        list_pager(
            page=page,
            url_for_page=url_for_page,
            target="#messages",
            # TRANSLATORS: pager links of a conversation, newest messages first.
            newer=_("Newer messages"),
            older=_("Older messages"),
        ),
    ]


def new_message_list(message: MessageView, *, me: int, other: Correspondent) -> Element:
    """The message just sent, for a conversation's form to add at the top of its list."""
    return ol("#message-list")[message_items([message], me=me, other=other)]


def conversation_page(
    *, other: Correspondent, form_: Form | None, refusal: str | None, messages: Element
) -> Element:
    """One conversation: who with, the form to write (or why one cannot), the messages."""
    return div[
        h1[_("Messages with %(username)s", username=other.username)],
        p[
            a(href=url_for("main.user", username=other.username))[
                _("Back to %(username)s's profile", username=other.username)
            ],
            " · ",
            a(href=url_for("main.messages"))[_("All conversations")],
        ],
        message_form(form_, recipient=other) if form_ else p(".notice")[refusal],
        messages,
    ]


def conversation_items(
    conversations: list[ConversationView], *, avatars: Mapping[int, str]
) -> list[Element]:
    you_said = escape(_("You: %(message)s"))
    items = []
    for conversation in conversations:
        username = conversation.other_username
        body: Node = (
            you_said % {"message": conversation.body}
            if conversation.sent_by_me
            else conversation.body
        )
        items.append(
            li(class_=["conversation", "unread" if conversation.unread else None])[
                avatar(
                    src=avatars[conversation.other_id],
                    username=username,
                    size=LIST_AVATAR_SIZE,
                    alt="",
                ),
                div(".conversation-main")[
                    a(
                        ".conversation-link",
                        href=url_for("main.conversation", username=username),
                    )[username],
                    " ",
                    span(".new-marker")[ngettext("%(num)d new", "%(num)d new", conversation.unread)]
                    if conversation.unread
                    else None,
                    " ",
                    timestamp(conversation.timestamp),
                    p(".conversation-last", dir="auto")[body],
                ],
            ]
        )
    return items


def conversations_section(
    *, page: ListPage, url_for_page: PageURL, avatars: Mapping[int, str], focus: bool = False
) -> Element:
    """Everyone the reader exchanged messages with, the latest conversation first."""
    return section("#conversations", aria_labelledby="conversations-heading")[
        h2("#conversations-heading", tabindex="-1", autofocus=focus)[_("Conversations")],
        ol(".conversation-list")[conversation_items(page.items, avatars=avatars)],
        p(".empty-state")[
            _("No messages yet. To write to someone, open their profile and choose Send message.")
        ]
        if not page.items
        else None,
        list_pager(
            page=page,
            url_for_page=url_for_page,
            target="#conversations",
            newer=_("Newer conversations"),
            older=_("Older conversations"),
        ),
    ]


def messages_page(*, conversations: Element) -> Element:
    return div[h1[_("Messages")], conversations]


def unread_text(count: int) -> str:
    return ngettext("%(num)d unread message", "%(num)d unread messages", count)


# The most unread messages the badge's number shows ("99+" after that).
MAX_SHOWN = 99


def unread_badge(*, count: int, oob: bool = False) -> Element:
    """The number of unread messages on the header's Messages link, and the link's name for
    screen readers ("Messages, 3 unread"). It asks every 30 s whether the number changed (the
    server answers 204 when not) and replaces itself when it did; every htmx response also
    brings it out of band (`oob`)."""
    url = url_for("main.unread_badge", count=count)
    return span(
        "#unread-badge.unread-badge",
        hx_get=url,
        hx_trigger="every 30s",
        hx_target="this",
        hx_swap="outerHTML",
        hx_swap_oob="true" if oob else None,
    )[
        # The number on the envelope stays short; screen readers get the exact count.
        span(".badge-count", aria_hidden="true")[
            str(count) if count <= MAX_SHOWN else f"{MAX_SHOWN}+"
        ]
        if count
        else None,
        span(".visually-hidden")[
            # TRANSLATORS: the name screen readers give the header's Messages link.
            ngettext("Messages, %(num)d unread", "Messages, %(num)d unread", count)
            if count
            else _("Messages")
        ],
    ]


def messages_link(*, url: str, count: int) -> Element:
    """The header's way to your messages: an envelope with the unread badge, which names it."""
    return a(".header-messages", href=url)[icon("messages"), unread_badge(count=count)]
