"""The Translate button under posts in another language, and the view it posts to."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel import Locale, UnknownLocaleError
from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htpy import Node
from sqlalchemy import select

from microblog.errors import error_response
from microblog.extensions import db
from microblog.models import Post, PostRow, PostTranslation
from microblog.models.limits import is_id
from microblog.models.translation import body_digest
from microblog.ratelimits import translation_limit
from microblog.responses import after_change
from microblog.security import is_safe_next
from microblog.services.translation import (
    TranslationError,
    same_language,
    translate_post,
    translator_from_config,
)
from templates.cards import CardAction, CardViewer
from templates.translations import translate_button, translation

bp = Blueprint("translate", __name__)

# The query argument that asks a page to show one post's translation (the no-JS answer).
SHOWN = "translated"


def _reader_language() -> str:
    return str(get_locale()).replace("_", "-")


def _without_shown(path: str) -> str:
    """`path` without the request to show a translation (and without a fragment)."""
    parts = urlsplit(path)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != SHOWN]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def _showing(path: str, post_id: int) -> str:
    """`path` asking to show the translation of post `post_id`, scrolled to that post."""
    parts = urlsplit(_without_shown(path))
    query = urlencode([*parse_qsl(parts.query), (SHOWN, str(post_id))])
    return urlunsplit(("", "", parts.path, query, f"post-{post_id}"))


def translate_action() -> CardAction | None:
    """The Translate control of this request's cards: for a logged-in reader, under posts in
    a language other than theirs, when a provider is set up (else no button at all). A page
    asked to show one post's translation (?translated=<id>, after the button was used
    without JavaScript) shows it in place of that post's button."""
    if not current_user.is_authenticated:
        return None
    translator = translator_from_config(current_app.config)
    if translator is None:
        return None
    back_to = _without_shown(request.full_path)
    shown_id = request.args.get(SHOWN, type=int)
    shown = None
    if shown_id is not None and is_id(shown_id):
        shown = db.session.scalar(
            select(PostTranslation).where(
                PostTranslation.post_id == shown_id,
                PostTranslation.language == _reader_language(),
            )
        )

    def action(post: PostRow, viewer: CardViewer) -> Node:
        if post.language is None or same_language(post.language, viewer.locale):
            return None
        if (
            shown is not None
            and shown.post_id == post.id
            and shown.source_digest == body_digest(post.body)
        ):
            return translation(
                post_id=post.id,
                text=shown.body,
                language=shown.language,
                provider=shown.provider,
                original_url=url_for("translate.translate", id=post.id, next=back_to),
            )
        return translate_button(
            post_id=post.id, url=url_for("translate.translate", id=post.id), back_to=back_to
        )

    return action


def _language_in_reader_language(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(str(get_locale())) or code
    except (ValueError, UnknownLocaleError):
        return code


def _post(post_id: int) -> Post:
    post = db.session.get(Post, post_id) if is_id(post_id) else None
    if post is None:
        abort(404)
    return post


@bp.route("/post/<int:id>/translate", methods=["GET", "POST"])
@login_required
@translation_limit
def translate(id: int) -> Response:
    """A post in your language, under the original (POST); GET puts the button back."""
    post = _post(id)
    back = request.values.get("next")
    back_to = back if is_safe_next(back) else url_for("main.explore")
    target = _reader_language()
    translator = translator_from_config(current_app.config)
    if request.method == "GET":
        if translator is None or post.language is None:
            return redirect(_without_shown(back_to), 303)
        # "Show original": the button again in place of the translation, or the page without it.
        button = translate_button(post_id=post.id, url=request.path, back_to=back_to)
        return after_change(
            button,
            redirect_to=_without_shown(back_to),
            message=_("The translation is hidden."),
            announcement=_("Showing the original."),
        )
    if translator is None:
        return error_response(
            400, message=_("Posts cannot be translated on this site."), back_to=back_to
        )
    if post.language is None:
        return error_response(
            400, message=_("The language of this post is not known."), back_to=back_to
        )
    if same_language(post.language, target):
        return error_response(
            400, message=_("This post is already in your language."), back_to=back_to
        )
    try:
        made = translate_post(
            post.id, post.body, source=post.language, target=target, translator=translator
        )
    except TranslationError:
        # The reason is in the log; the reader gets the button back, to try again later.
        unavailable = _("Translation is not available right now.")
        return after_change(
            translate_button(post_id=post.id, url=request.path, back_to=back_to, retry=True),
            redirect_to=back_to,
            message=unavailable,
            category="error",
            announcement=unavailable,
        )
    return after_change(
        translation(
            post_id=post.id,
            text=made.body,
            language=made.language,
            provider=made.provider,
            original_url=url_for("translate.translate", id=post.id, next=back_to),
        ),
        redirect_to=_showing(back_to, post.id),
        message=_("The translation is under the post."),
        announcement=_(
            "Translated from %(language)s by %(provider)s.",
            language=_language_in_reader_language(post.language),
            provider=made.provider,
        ),
    )
