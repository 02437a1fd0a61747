"""The site itself: timelines, posting, profiles, following, people, avatars."""

from flask import Blueprint

# Its views register themselves on bp when create_app() imports their modules.
bp = Blueprint("main", __name__)
