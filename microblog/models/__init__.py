"""The SQLAlchemy models, one module per aggregate."""

from microblog.models.pagination import CountedPage, paginate_counted
from microblog.models.post import BODY_MAX_LENGTH, ListedPost, Page, Post, PostList, paginate
from microblog.models.token import ApiToken
from microblog.models.translation import PostTranslation
from microblog.models.user import FollowStats, User, followers

__all__ = [
    "BODY_MAX_LENGTH",
    "ApiToken",
    "CountedPage",
    "FollowStats",
    "ListedPost",
    "Page",
    "Post",
    "PostList",
    "PostTranslation",
    "User",
    "followers",
    "paginate",
    "paginate_counted",
]
