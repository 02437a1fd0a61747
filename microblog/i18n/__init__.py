"""Languages and timezones: which ones a reader gets, and the picker that changes them."""

from flask import Blueprint

# Its views register themselves on bp when create_app() imports their modules.
bp = Blueprint("i18n", __name__)
