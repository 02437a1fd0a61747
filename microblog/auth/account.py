"""Account settings: change the password or the email address, end every other session,
delete the account."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie
from sqlalchemy.exc import IntegrityError

from microblog.auth import bp
from microblog.auth.email import send_email_change_mails, send_email_changed_notice
from microblog.auth.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from microblog.auth.tokens import (
    ResetTokenError,
    ResetTokenExpired,
    ResetTokenUsed,
    email_change_for_token,
)
from microblog.extensions import db
from microblog.models import User
from microblog.models.accounts import delete_account as remove_account
from microblog.ratelimits import mail_limits, note_failed_login, password_check_limits
from microblog.responses import after_change, leave_page, render
from templates.auth import (
    change_email_form,
    change_email_intro,
    change_password_form,
    confirm_email_page,
    delete_account_form,
    delete_account_warning,
    link_problem_page,
    logout_everywhere_form,
    settings_page,
)


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


def _settings_form(form_fragment, *, title: str, intro=None) -> Response:
    """A settings form: itself for htmx, on its settings page otherwise. One that came back
    with errors is a 422, and what was typed may include passwords, so no cache keeps it."""
    page = settings_page(title=title, form_=form_fragment, intro=intro)
    if request.method != "POST":
        return render(form_fragment, page_title=title, page_content=page)
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
    valid = form.validate_on_submit()
    typed = form.current_password.data
    # A wrong current password is said along with any problem of the new one.
    wrong = request.method == "POST" and bool(typed) and not user.check_password(typed)
    if wrong:
        _wrong_password(form.current_password)
    if valid and not wrong:
        if user.check_password(form.password.data):
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
    return _settings_form(change_password_form(form), title=title)


@bp.route("/change_email", methods=["GET", "POST"])
@login_required
@password_check_limits
@mail_limits("email")
def change_email() -> Response:
    """Ask to move the account to another email address: a link goes there to confirm."""
    user = _this_user()
    form = ChangeEmailForm()
    title = _("Change your email address")
    if form.validate_on_submit():
        new_email = form.email.data.strip().lower()
        if not user.check_password(form.password.data):
            _wrong_password(form.password)
        elif new_email == user.email:
            form.email.errors.append(_("This is already your email address."))
        else:
            send_email_change_mails(user, new_email)
            message = _(
                "A link to confirm %(email)s is on its way there. Your address changes when "
                "you open it.",
                email=new_email,
            )
            return after_change(
                change_email_form(ChangeEmailForm(formdata=None), done=message),
                redirect_to=url_for("main.edit_profile"),
                message=message,
                announcement=message,
            )
    intro = change_email_intro(email=user.email)
    return _settings_form(change_email_form(form), title=title, intro=intro)


def _email_link_problem(problem: ResetTokenError) -> Response:
    if isinstance(problem, ResetTokenExpired):
        title = _("This link has expired")
        message = _("Ask for a new link from your settings.")
    elif isinstance(problem, ResetTokenUsed):
        title = _("This link has been used")
        message = _("The email address of this account has changed since the link was sent.")
    else:
        title = _("This link is not valid")
        message = _("The link may have been cut short when it was copied.")
    return _link_problem_page(title, message, status=problem.status)


def _link_problem_page(title: str, message: str, *, status: int) -> Response:
    return render(
        link_problem_page(
            title=title,
            message=message,
            again_url=url_for("auth.change_email"),
            again_text=_("Change your email address"),
        ),
        page_title=title,
        status=status,
    )


@bp.route("/change_email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response:
    """The link mailed to a new address: a button that makes it the account's address."""
    try:
        user, new_email = email_change_for_token(token)
    except ResetTokenError as problem:
        return _email_link_problem(problem)
    taken = _("This address is taken")
    taken_message = _("Another account uses this email address now, so it cannot be yours.")
    if User.email_taken(new_email, except_user=user):
        return _link_problem_page(taken, taken_message, status=409)
    if request.method == "POST":
        old_email = user.email
        user.email = new_email
        try:
            db.session.commit()
        except IntegrityError:  # taken between the check and the commit
            db.session.rollback()
            return _link_problem_page(taken, taken_message, status=409)
        send_email_changed_notice(user, old_email)
        flash(_("Your email address is now %(email)s.", email=new_email), "success")
        logged_in = current_user.is_authenticated and current_user.id == user.id
        return redirect(url_for("main.edit_profile" if logged_in else "auth.login"), 303)
    title = _("Confirm your new email address")
    return render(
        confirm_email_page(
            username=user.username,
            new_email=new_email,
            action=url_for("auth.confirm_email", token=token),
        ),
        page_title=title,
        # The token in the address is a key to the account: keep it out of caches.
        headers={"Cache-Control": "no-store"},
    )


@bp.route("/delete_account", methods=["GET", "POST"])
@login_required
@password_check_limits
def delete_account() -> Response:
    """Delete the account and everything that is the user's, after a clear warning."""
    user = _this_user()
    form = DeleteAccountForm()
    title = _("Delete your account")
    if form.validate_on_submit():
        if user.check_password(form.password.data):
            remove_account(user)
            db.session.commit()
            session.clear()
            logout_user()  # and the remember-me cookie
            refresh()  # the goodbye reads in the language of the visitor's page it is shown on
            return leave_page(
                url_for("auth.login"), message=_("Your account and everything in it are deleted.")
            )
        _wrong_password(form.password)
    return _settings_form(delete_account_form(form), title=title, intro=delete_account_warning())


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
