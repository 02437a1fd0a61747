"""The SQLAlchemy models, one module per aggregate."""

from microblog.models.post import BODY_MAX_LENGTH, Page, Post, paginate
from microblog.models.user import FollowStats, User, followers

__all__ = ["BODY_MAX_LENGTH", "FollowStats", "Page", "Post", "User", "followers", "paginate"]
