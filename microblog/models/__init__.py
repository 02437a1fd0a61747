"""The SQLAlchemy models, one module per aggregate."""

from microblog.models.follows import blocks, followers
from microblog.models.limits import BODY_MAX_LENGTH, MESSAGE_MAX_LENGTH
from microblog.models.message import Message
from microblog.models.pagination import (
    AuthorRow,
    CountedPage,
    Page,
    PostList,
    PostRow,
    paginate,
    paginate_counted,
    paginate_counted_posts,
    post_row,
)
from microblog.models.post import Post
from microblog.models.stats import FollowStats, follow_stats, follow_stats_for
from microblog.models.task import Task
from microblog.models.token import ApiToken
from microblog.models.translation import PostTranslation
from microblog.models.user import User

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
    "follow_stats",
    "follow_stats_for",
    "followers",
    "paginate",
    "paginate_counted",
    "paginate_counted_posts",
    "post_row",
]
