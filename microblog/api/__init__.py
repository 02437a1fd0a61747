"""The JSON REST API of the tutorial's chapter 23, and more: tokens, users, followers, posts."""

from flask import Blueprint

URL_PREFIX = "/api"

# Its views register themselves on bp when create_app() imports their modules.
bp = Blueprint("api", __name__)
