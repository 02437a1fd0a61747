"""The SQLAlchemy models, one module per aggregate."""

from microblog.models.block import blocks
from microblog.models.message import MESSAGE_MAX_LENGTH, Message
from microblog.models.pagination import (
    AuthorRow,
    CountedPage,
    Page,
    PostList,
    PostRow,
    paginate,
    paginate_counted,
    paginate_counted_posts,
)
from microblog.models.post import BODY_MAX_LENGTH, Post
from microblog.models.task import Task
from microblog.models.token import ApiToken
from microblog.models.translation import PostTranslation
from microblog.models.user import FollowStats, User, followers

__all__ = [
    "BODY_MAX_LENGTH",
    "MESSAGE_MAX_LENGTH",
    "ApiToken",
    "AuthorRow",
    "CountedPage",
    "FollowStats",
    "Message",
    "Page",
    "Post",
    "PostList",
    "PostRow",
    "PostTranslation",
    "Task",
    "User",
    "blocks",
    "followers",
    "paginate",
    "paginate_counted",
    "paginate_counted_posts",
]
