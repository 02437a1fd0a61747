"""The site itself: timelines, posting, profiles, following, people, avatars."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from microblog.main import messages, people, routes  # noqa: E402, F401 - registers the views on bp
