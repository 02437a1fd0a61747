"""Languages and timezones: which ones a reader gets, and the picker that changes them."""

from flask import Blueprint

bp = Blueprint("i18n", __name__)

from microblog.i18n import routes  # noqa: E402, F401 - registers the views on bp
