"""The site itself: timelines, posting, profiles, following, avatars."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from microblog.main import routes  # noqa: E402, F401 - registers the views on bp
