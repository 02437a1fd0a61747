"""Views for private messages, the unread badge, the activity page and the notification
feed."""

from __future__ import annotations

import math
from functools import partial

from flask import (
    Response,
    abort,
    jsonify,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htpy import Node, fragment

from microblog.errors import error_response
from microblog.extensions import db
from microblog.main import bp
from microblog.main.forms import MessageForm
from microblog.main.paging import requested_page
from microblog.main.people import avatars_of
from microblog.models import AuthorRow, Message, User
from microblog.models.activity import activity_page
from microblog.models.block import Relation, relation
from microblog.models.message import (
    ListedMessage,
    conversations_page,
    mark_read,
    messages_page,
)
from microblog.presence import quiet
from microblog.ratelimits import message_limit, note_message_sent
from microblog.responses import after_change, canonical_redirect, page_turn, render
from microblog.unread import notification_feed, remember_unread, unread_messages
from templates.activity import EVENT_AVATAR_SIZE, activity_section
from templates.activity import activity_page as activity_page_view
from templates.layout import announcer_oob
from templates.messages import (
    conversation_page,
    conversation_section,
    conversations_section,
    message_form,
    new_message_list,
    unread_badge,
    unread_text,
)
from templates.messages import (
    messages_page as messages_page_view,
)
from templates.people import LIST_AVATAR_SIZE


def _refusal(other: User | AuthorRow, relation_: Relation) -> str | None:
    """Why the current user cannot write to `other`, or None when they can."""
    if relation_.blocked:
        return _(
            "You block %(username)s. Unblock them to send them messages.", username=other.username
        )
    if relation_.blocked_by:
        return _("%(username)s does not accept messages from you.", username=other.username)
    return None


def _correspondent(username: str) -> User:
    """The other person of a conversation: someone else who exists (else 404 / 400)."""
    other = User.by_username(username) or abort(404)
    if other.id == current_user.id:
        refusal = _("You cannot send a message to yourself.")
        abort(error_response(400, message=refusal, back_to=url_for("main.messages")))
    return other


def _conversation(
    other: User, form: MessageForm, *, answer: Node = None, status: int = 200
) -> Response:
    """The conversation with `other`, newest first, under the form to write to them (or why
    one cannot); opening it marks their messages read. For htmx, the messages section (when
    paging) or `answer`."""
    page = requested_page(partial(messages_page, current_user, other))
    # Read before the commit below expires every loaded object.
    me, person = current_user.id, AuthorRow(other.id, other.username, other.email)
    refusal = _refusal(person, relation(current_user, other))
    if any(m.read_at is None and m.sender_id == person.id for m in page.items):
        marked = mark_read(current_user, other)
        db.session.commit()
        remember_unread(max(unread_messages() - marked, 0))
    messages = conversation_section(
        page=page,
        me=me,
        other=person,
        url_for_page=lambda number, **cursor: url_for(
            "main.conversation", username=person.username, page=number, **cursor
        ),
        focus=page_turn(page.number),
    )
    return render(
        messages if answer is None else answer,
        page_content=conversation_page(
            other=person, form_=None if refusal else form, refusal=refusal, messages=messages
        ),
        page_title=_("Messages with %(username)s", username=person.username),
        status=status,
    )


@bp.route("/send_message/<recipient>", methods=["GET", "POST"])
@login_required
@message_limit
def send_message(recipient: str) -> Response:
    """Write a private message; it is shown above your conversation with them."""
    other = _correspondent(recipient)
    conversation_url = url_for("main.conversation", username=other.username)
    if request.method == "GET":
        return redirect(conversation_url)
    refusal = _refusal(other, relation(current_user, other))
    if refusal:
        return error_response(403, message=refusal, back_to=conversation_url)
    form = MessageForm()
    if not form.validate_on_submit():
        # htmx shows the form with its errors in place; a browser, the whole conversation.
        answer = message_form(form, recipient=other, focus=True)
        return _conversation(other, form, answer=answer, status=422)
    message = Message(sender=current_user, recipient=other, body=form.message.data)
    db.session.add(message)
    db.session.flush()
    # What the answer shows, read before the commit expires every loaded object.
    me, person = current_user.id, AuthorRow(other.id, other.username, other.email)
    sent_message = ListedMessage(message.id, message.body, message.timestamp, me, None)
    db.session.commit()
    note_message_sent()
    sent = _("Your message to %(username)s has been sent.", username=person.username)
    return after_change(
        fragment[
            message_form(MessageForm(formdata=None), recipient=person, sent=True, focus=True),
            new_message_list(sent_message, me=me, other=person),
        ],
        redirect_to=conversation_url,
        message=sent,
        announcement=sent,
    )


@bp.route("/messages/<username>")
@login_required
def conversation(username: str) -> Response:
    """Your messages with one person, newest first, and the form to write to them."""
    return _conversation(_correspondent(username), MessageForm(formdata=None))


@bp.route("/messages")
@login_required
def messages() -> Response:
    """Everyone you exchanged messages with, the latest conversation first."""
    page = requested_page(partial(conversations_page, current_user))
    conversations = conversations_section(
        page=page,
        url_for_page=lambda number, **cursor: url_for("main.messages", page=number, **cursor),
        avatars=avatars_of(((c.other_id, c.other_email) for c in page.items), LIST_AVATAR_SIZE),
        focus=page_turn(page.number),
    )
    return render(
        conversations,
        page_content=messages_page_view(conversations=conversations),
        page_title=_("Messages"),
    )


@bp.route("/messages/unread", endpoint="unread_badge")
@quiet
def unread_badge_poll() -> Response:
    """The unread badge, for its poll: 204 while the count the page shows (`count`) is
    current; a visitor (logged out meanwhile) gets 286, which ends htmx's polling. Opened as
    a page, it leads to the messages."""
    as_page = canonical_redirect(url_for("main.messages"))
    if as_page is not None:
        return as_page
    if not current_user.is_authenticated:
        return make_response("", 286)
    count = unread_messages()
    if request.args.get("count", type=int) == count:
        response = make_response("", 204)
    else:
        response = make_response(
            str(fragment[unread_badge(count=count), announcer_oob(unread_text(count))])
        )
    response.headers["Cache-Control"] = "no-store"
    return response


# Activity cursors are moments in microseconds since 1970 (about 2**51 today).
MAX_MOMENT = 2**62


def _moment_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < MAX_MOMENT:
        abort(404)
    return int(value)


@bp.route("/activity")
@login_required
def activity() -> Response:
    """Who followed you and who wrote to you, newest first."""
    page = requested_page(partial(activity_page, current_user), cursor=_moment_arg)
    events = activity_section(
        page=page,
        url_for_page=lambda number, **cursor: url_for("main.activity", page=number, **cursor),
        avatars=avatars_of(((e.user_id, e.email) for e in page.items), EVENT_AVATAR_SIZE),
        focus=page_turn(page.number),
    )
    return render(
        events, page_content=activity_page_view(activity=events), page_title=_("Activity")
    )


@bp.route("/notifications")
@quiet
def notifications() -> Response:
    """The tutorial's notification feed, always JSON: `[{name, data, timestamp}]`, with what
    changed after `since` (a Unix time)."""
    if not current_user.is_authenticated:
        return jsonify(error="Unauthorized", message="Log in to read your notifications."), 401
    since = request.args.get("since", "0")
    try:
        since_time = float(since)
    except ValueError:
        since_time = math.nan
    if not math.isfinite(since_time):
        return jsonify(error="Bad Request", message="since must be a Unix time."), 400
    feed = notification_feed(current_user, since_time)
    response = jsonify(feed)
    response.headers["Cache-Control"] = "no-store"
    return response
