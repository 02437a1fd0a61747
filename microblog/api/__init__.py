"""The JSON REST API of the tutorial's chapter 23, and more: tokens, users, followers, posts."""

from flask import Blueprint

URL_PREFIX = "/api"

bp = Blueprint("api", __name__)

from microblog.api import docs, openapi, posts, search, tokens, users  # noqa: E402, F401 - registers the views on bp
