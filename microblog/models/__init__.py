"""The SQLAlchemy models, one module per aggregate."""

from microblog.models.pagination import CountedPage, paginate_counted
from microblog.models.post import BODY_MAX_LENGTH, Page, Post, paginate
from microblog.models.token import ApiToken
from microblog.models.user import FollowStats, User, followers

__all__ = [
    "BODY_MAX_LENGTH",
    "ApiToken",
    "CountedPage",
    "FollowStats",
    "Page",
    "Post",
    "User",
    "followers",
    "paginate",
    "paginate_counted",
]
