"""The plain rows components and the API are given (never ORM objects). This module imports
nothing of the project, so components can name these types without reaching the models."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol


class _LoadedAuthor(Protocol):
    id: int
    username: str
    email: str
    avatar: str | None


class _LoadedPost(Protocol):
    id: int
    body: str
    timestamp: datetime
    language: str | None
    edited_at: datetime | None


class AuthorRow(NamedTuple):
    """Who wrote a post, as a card and the API show them."""

    id: int
    username: str
    email: str
    avatar: str | None = None  # the user's choice of avatar provider; None: the site's


class PostRow(NamedTuple):
    """A post with its author, as plain values read in one row: what components and the API
    are given, never ORM objects (loading these costs a fifth of loading two models)."""

    id: int
    body: str
    timestamp: datetime
    language: str | None
    author: AuthorRow
    edited_at: datetime | None = None  # None: never edited

    @classmethod
    def of(cls, post: _LoadedPost, author: _LoadedAuthor) -> PostRow:
        """The row of a post whose attributes (and its author's) are loaded."""
        return cls(
            post.id,
            post.body,
            post.timestamp,
            post.language,
            AuthorRow(author.id, author.username, author.email, author.avatar),
            post.edited_at,
        )
