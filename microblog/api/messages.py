"""Private messages and the notification feed, for the token's user only."""

from __future__ import annotations

from typing import Any

from apifairy import arguments, authenticate, other_responses, response
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from microblog.api import bp
from microblog.api.auth import token_auth, token_user
from microblog.api.errors import api_abort, get_or_404
from microblog.api.input import json_body
from microblog.api.resources import message_collection, message_resource
from microblog.api.schemas import (
    error_responses,
    message_collection_schema,
    message_schema,
    new_message_schema,
    notification_args_schema,
    notifications_schema,
    pagination_schema,
)
from microblog.extensions import db
from microblog.models import Message, User
from microblog.models.block import relation
from microblog.ratelimits import api_message_limit, note_message_sent
from microblog.unread import notification_feed


@bp.route("/messages", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(message_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_messages(args: dict[str, int]) -> dict[str, Any]:
    """Your private messages, received and sent, newest first. Reading them here does not
    mark them read (opening the conversation on the website does)."""
    me = token_user().id
    query = (
        select(Message)
        .where(or_(Message.sender_id == me, Message.recipient_id == me))
        .options(selectinload(Message.sender), selectinload(Message.recipient))
        .order_by(Message.id.desc())
    )
    return message_collection(query, args, "api.get_messages")


@bp.route("/messages", methods=["POST"])
@authenticate(token_auth)
@api_message_limit
@json_body(new_message_schema)
@response(message_schema, 201)
@other_responses(error_responses(400, 401, 403, 404, 415, 429))
def send_message(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Send a private message (the website's rules): not to yourself, nor to someone you
    block or who blocks you."""
    sender = token_user()
    recipient = get_or_404(User, data["recipient_id"])
    if recipient.id == sender.id:
        api_abort(400, "You cannot send a message to yourself.")
    between = relation(sender, recipient)
    if between.blocked:
        api_abort(403, f"You block {recipient.username}. Unblock them to send them messages.")
    if between.blocked_by:
        api_abort(403, f"{recipient.username} does not accept messages from you.")
    message = Message(sender=sender, recipient=recipient, body=data["body"])
    db.session.add(message)
    db.session.flush()
    sent = message_resource(message, me=sender.id)  # before the commit expires it
    db.session.commit()
    note_message_sent()
    return sent, 201


@bp.route("/notifications", methods=["GET"])
@authenticate(token_auth)
@arguments(notification_args_schema)
@response(notifications_schema)
@other_responses(error_responses(400, 401))
def get_notifications(args: dict[str, float]) -> list[dict[str, Any]]:
    """The tutorial's notification feed, as the website's /notifications gives it: what
    changed after `since`, e.g. `unread_message_count`."""
    return notification_feed(token_user(), args["since"])
