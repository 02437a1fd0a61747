"""Changing and deleting posts, the same way for the site and the API: an edited post gets
its language detected again, loses the translations of its old text and says when it was
edited; the search index follows by itself (it is kept by the database, see services.search)."""

from __future__ import annotations

from microblog.extensions import db
from microblog.models import Post, PostTranslation
from microblog.models.types import utcnow
from microblog.services.languages import detect_language


def revise_post(post: Post, body: str, *, language: str | None = None) -> bool:
    """Give `post` the text `body` (in `language`, else the one detected in a new text),
    without committing. False when nothing changed (the same text, the same language): the
    post is not marked as edited then."""
    if language is None:
        language = post.language if body == post.body else detect_language(body)
    if body == post.body and language == post.language:
        return False
    if body != post.body:
        PostTranslation.drop_for(post.id)
    post.body = body
    post.language = language
    post.edited_at = utcnow()
    return True


def remove_post(post: Post) -> None:
    """Delete `post` (its translations go with it), without committing."""
    db.session.delete(post)
