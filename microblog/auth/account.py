"""Account settings: change the password, end every other session."""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie

from microblog.auth import bp
from microblog.auth.forms import ChangePasswordForm
from microblog.extensions import db
from microblog.models import User
from microblog.ratelimits import note_failed_login, password_check_limits
from microblog.responses import after_change, render
from templates.auth import change_password_form, logout_everywhere_form, settings_page


def _this_user() -> User:
    # The User itself, not Flask-Login's proxy (login_user() keeps what it is given).
    return current_user._get_current_object()


def _has_remember_cookie(user: User) -> bool:
    """Whether this browser holds a live remember-me cookie of `user`."""
    cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))
    return cookie is not None and decode_cookie(cookie) == user.get_id()


def _end_other_sessions(user: User) -> None:
    """End every session, remember-me cookie and API token of `user`, and log this browser
    in again (keeping its remember-me cookie if it had one): it is the one that asked."""
    remembered = _has_remember_cookie(user)
    user.end_sessions()
    db.session.commit()
    login_user(user, remember=remembered)


def _wrong_password(field) -> None:
    """Refuse a wrong password next to its field; it counts as a failed login."""
    note_failed_login()
    field.errors.append(_("This is not your password."))


def _form_again(form_fragment, *, title: str, page) -> Response:
    """A form that came back with errors: itself for htmx, its page otherwise. What was
    typed may include passwords, so no cache keeps it."""
    return render(
        form_fragment,
        page_title=title,
        page_content=page,
        status=422,
        headers={"Cache-Control": "no-store"},
    )


@bp.route("/change_password", methods=["GET", "POST"])
@login_required
@password_check_limits
def change_password() -> Response:
    """Choose a new password; every other session ends, this one stays."""
    user = _this_user()
    form = ChangePasswordForm(account=user)
    title = _("Change your password")
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            _wrong_password(form.current_password)
        elif user.check_password(form.password.data):
            form.password.errors.append(_("This is your current password. Choose a new one."))
        else:
            user.set_password(form.password.data)
            _end_other_sessions(user)
            message = _("Your password has been changed. You are logged out everywhere else.")
            return after_change(
                change_password_form(ChangePasswordForm(formdata=None), done=message),
                redirect_to=url_for("main.edit_profile"),
                message=message,
                announcement=message,
            )
    fragment = change_password_form(form)
    page = settings_page(title=title, form_=fragment)
    if request.method == "POST":
        return _form_again(fragment, title=title, page=page)
    return render(fragment, page_title=title, page_content=page)


@bp.route("/logout_everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Response:
    """End every other session, remember-me cookie and API token; this browser stays in."""
    _end_other_sessions(_this_user())
    return after_change(
        logout_everywhere_form(done=True),
        redirect_to=url_for("main.edit_profile"),
        message=_("Every other session has ended."),
        announcement=_("Every other session has ended."),
    )
