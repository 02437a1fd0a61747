"""Views for registering, logging in and out, and resetting a forgotten password."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from microblog.auth import bp
from microblog.auth.email import send_password_reset_email
from microblog.auth.forms import (
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetPasswordRequestForm,
)
from microblog.auth.tokens import (
    ResetTokenError,
    ResetTokenExpired,
    ResetTokenUsed,
    user_for_reset_token,
)
from microblog.extensions import db, login_manager, post_cards
from microblog.locales import LANGUAGE_COOKIE, supported_language
from microblog.models import BODY_MAX_LENGTH, PostList, User, paginate
from microblog.ratelimits import login_limits, mail_limits, note_failed_login, registration_limit
from microblog.responses import redirect_with_return, render
from microblog.security import is_return_page
from microblog.unread import remember_unread
from templates.auth import (
    login_page,
    register_page,
    reset_link_problem_page,
    reset_password_page,
    reset_request_page,
)

# How many of the latest posts the welcome page shows a visitor.
WELCOME_POSTS = 5


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session or remember-me cookie, unless its sessions have ended since."""
    # The unread-messages badge is on every page: its count comes in the same query.
    user = User.by_session_id(session_id, options=[undefer(User.unread_message_count)])
    if user is not None:
        remember_unread(user.unread_message_count)
    return user


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Send the visitor to the welcome page (which says what the site is and has the login
    form), then back to where they were going."""
    return redirect_with_return(
        lambda back_to: url_for("auth.login", next=back_to if is_return_page(back_to) else None)
    )


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> Response:
    """The login form; on success, the page the user asked for (if it is on this site)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"), 303)
    form = LoginForm()
    next_page = request.args.get("next")
    action = (
        url_for("auth.login", next=next_page)
        if is_return_page(next_page)
        else url_for("auth.login")
    )
    if form.validate_on_submit():
        user = User.authenticate(form.username.data, form.password.data)
        if user is not None:
            # A new session for the new login: nothing set before it (by anyone who could
            # plant a cookie) carries over.
            session.clear()
            login_user(user, remember=form.remember_me.data)
            return redirect(next_page if is_return_page(next_page) else url_for("main.index"), 303)
        note_failed_login()
        form.form_errors.append(_("Invalid username or password."))
    status = 422 if request.method == "POST" else 200
    latest = paginate(PostList.explore(), page=1, per_page=WELCOME_POSTS).items
    return render(
        login_page(
            form,
            action=action,
            latest_posts=latest,
            cards=post_cards.context(posts=latest),
            post_length=BODY_MAX_LENGTH,
        ),
        page_title=_("Welcome"),
        status=status,
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (by POST only, so no link or image can do it behind the user's back); the
    remember-me cookie goes too."""
    session.clear()
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"), 303)


@bp.route("/register", methods=["GET", "POST"])
@registration_limit
def register() -> Response:
    """The registration form; a new account is logged in straight away."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"), 303)
    form = RegistrationForm()
    if form.validate_on_submit():
        # A language picked in the footer before registering is the new account's choice.
        user = User(
            username=form.username.data,
            email=form.email.data,
            language=supported_language(request.cookies.get(LANGUAGE_COOKIE)),
        )
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            # Someone took the name or address between validation and commit.
            db.session.rollback()
            form.form_errors.append(
                _("This username or email address was just taken. Please try another.")
            )
            return _register_again(form)
        login_user(user)
        flash(_("Welcome, %(username)s! Your account is ready.", username=user.username), "success")
        return redirect(url_for("main.index"), 303)
    if request.method == "POST":
        return _register_again(form)
    return render(register_page(form), page_title=_("Register"))


def _register_again(form: RegistrationForm) -> Response:
    """The registration form with its errors; it may hold the typed password, so no cache
    keeps it."""
    return render(
        register_page(form),
        page_title=_("Register"),
        status=422,
        headers={"Cache-Control": "no-store"},
    )


def _logged_in_already() -> Response:
    """Home, saying why a password reset page did not open."""
    flash(
        _(
            "You are logged in, so there is no password to reset here. To reset the password "
            "of another account, log out first."
        ),
        "info",
    )
    return redirect(url_for("main.index"), 303)


@bp.route("/reset_password_request", methods=["GET", "POST"])
@mail_limits("email")
def reset_password_request() -> Response:
    """Ask for a password reset link by mail; the answer is the same whether or not the
    address has an account."""
    if current_user.is_authenticated:
        return _logged_in_already()
    form = ResetPasswordRequestForm()
    if form.validate_on_submit():
        send_password_reset_email(form.email.data)
        flash(
            _(
                "If an account uses %(email)s, a link to choose a new password is on its way "
                "there. Check your inbox, and your spam folder.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("auth.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render(reset_request_page(form), page_title=_("Reset your password"), status=status)


def _reset_link_problem(problem: ResetTokenError) -> Response:
    if isinstance(problem, ResetTokenExpired):
        title = _("This link has expired")
        minutes = current_app.config["RESET_TOKEN_MINUTES"]
        message = ngettext(
            "Password reset links work for %(num)d minute.",
            "Password reset links work for %(num)d minutes.",
            minutes,
        )
    elif isinstance(problem, ResetTokenUsed):
        title = _("This link has been used")
        message = _("A password reset link works only once, and your password has changed since.")
    else:
        title = _("This link is not valid")
        message = _("The link may have been cut short when it was copied.")
    return render(
        reset_link_problem_page(title=title, message=message),
        page_title=title,
        status=problem.status,
    )


@bp.route("/reset_password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    """Choose a new password, from the link in a reset mail (which then stops working)."""
    if current_user.is_authenticated:
        return _logged_in_already()
    try:
        user = user_for_reset_token(token)
    except ResetTokenError as problem:
        return _reset_link_problem(problem)
    form = ResetPasswordForm(account=user)
    if form.validate_on_submit():
        if not user.replace_password(user.password_hash, form.password.data):
            db.session.rollback()
            return _reset_link_problem(ResetTokenUsed())
        db.session.commit()
        flash(_("Your password has been changed. You can log in with it now."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render(
        reset_password_page(form, action=url_for("auth.reset_password", token=token)),
        page_title=_("Choose a new password"),
        status=status,
        # The token in the address is a key to the account: keep it out of caches.
        headers={"Cache-Control": "no-store"},
    )
