"""The language picker's view."""

from __future__ import annotations

from flask import Response, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from microblog.extensions import db
from microblog.i18n import bp
from microblog.i18n.forms import LanguageForm
from microblog.locales import remember_language
from microblog.responses import render
from microblog.security import is_return_page
from templates.languages import language_page


@bp.route("/language", methods=["GET", "POST"])
def set_language() -> Response:
    """Choose the site's language, then go back to the page you were on."""
    form = LanguageForm()
    if form.validate_on_submit():
        language = form.language.data
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
        back = form.next.data
        response = redirect(back if is_return_page(back) else url_for("main.index"), 303)
        # Visitors keep their choice in a cookie; users too, so it outlives logging out.
        remember_language(response, language)
        return response
    if request.method == "GET":
        form.language.data = str(get_locale())
        form.next.data = request.args.get("next") or ""
    status = 422 if request.method == "POST" else 200
    return render(language_page(form), page_title=_("Language"), status=status)
