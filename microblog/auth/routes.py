"""Views for registering, logging in and logging out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from microblog.auth import bp
from microblog.auth.forms import LoginForm, RegistrationForm
from microblog.extensions import db, login_manager
from microblog.models import User
from microblog.responses import htmx_redirect, render, wants_fragment
from microblog.security import is_safe_next
from templates.auth import login_page, register_page


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Send the visitor to the login page, then back to where they were going."""
    flash(_("Please log in to see this page."), "info")
    if wants_fragment():
        # htmx cannot follow a redirect into a full page; come back to the page it was on.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back_to = current.path + (f"?{current.query}" if current.query else "")
        return htmx_redirect(url_for("auth.login", next=back_to if is_safe_next(back_to) else None))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """The login form; on success, the page the user asked for (if it is on this site)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_page = request.args.get("next")
    action = (
        url_for("auth.login", next=next_page) if is_safe_next(next_page) else url_for("auth.login")
    )
    if form.validate_on_submit():
        user = User.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember_me.data)
            return redirect(next_page if is_safe_next(next_page) else url_for("main.index"), 303)
        form.form_errors.append(_("Invalid username or password."))
    status = 422 if request.method == "POST" else 200
    return render(login_page(form, action=action), page_title=_("Log in"), status=status)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (by POST only, so no link or image can do it behind the user's back)."""
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"), 303)


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response:
    """The registration form; a new account is logged in straight away."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        user = User(username=form.username.data, email=form.email.data)
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
            return render(register_page(form), page_title=_("Register"), status=422)
        login_user(user)
        flash(_("Welcome, %(username)s! Your account is ready.", username=user.username), "success")
        return redirect(url_for("main.index"), 303)
    status = 422 if request.method == "POST" else 200
    return render(register_page(form), page_title=_("Register"), status=status)
