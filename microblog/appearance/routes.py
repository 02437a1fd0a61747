"""The theme picker's view."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from microblog.appearance.forms import ThemeForm
from microblog.errors import error_response
from microblog.extensions import db
from microblog.security import is_return_page
from microblog.themes import remember_theme

bp = Blueprint("appearance", __name__)


@bp.route("/theme", methods=["POST"])
def set_theme() -> Response:
    """Choose light, dark or automatic colours, then go back to the page you were on."""
    form = ThemeForm()
    if not form.validate_on_submit():
        return error_response(400, message=_("Choose a theme from the list."))
    theme = form.theme.data or None
    if current_user.is_authenticated:
        current_user.theme = theme
        db.session.commit()
    back = form.next.data
    response = redirect(back if is_return_page(back) else url_for("main.index"), 303)
    remember_theme(response, theme)
    return response
