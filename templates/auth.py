"""Account pages: log in, register, and reset a forgotten password."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, a, button, div, form, h1, p
from markupsafe import escape
from wtforms import Form

from templates.forms import csrf_input, field, form_errors


def login_page(form_: Form, *, action: str) -> Element:
    register_link = a(href=url_for("auth.register"))[_("Register here")]
    return div(".narrow")[
        h1[_("Log in")],
        form(action=action, method="post")[
            csrf_input(),
            form_errors(form_),
            field(form_.username, autocomplete="username", autocapitalize="none"),
            field(form_.password, autocomplete="current-password"),
            field(form_.remember_me),
            button(type="submit")[_("Log in")],
        ],
        p[a(href=url_for("auth.reset_password_request"))[_("Forgot your password?")]],
        p[escape(_("New here? %(register_link)s.")) % {"register_link": register_link}],
    ]


def register_page(form_: Form) -> Element:
    login_link = a(href=url_for("auth.login"))[_("Log in")]
    return div(".narrow")[
        h1[_("Register")],
        form(action=url_for("auth.register"), method="post")[
            csrf_input(),
            form_errors(form_),
            field(form_.username, autocomplete="username", autocapitalize="none"),
            field(form_.email, autocomplete="email"),
            new_password_fields(form_),
            button(type="submit")[_("Register")],
        ],
        p[escape(_("Already have an account? %(login_link)s.")) % {"login_link": login_link}],
    ]


def reset_request_page(form_: Form) -> Element:
    return div(".narrow")[
        h1[_("Reset your password")],
        p[
            _(
                "Enter the email address of your account and we will mail you a link to choose "
                "a new password."
            )
        ],
        form(action=url_for("auth.reset_password_request"), method="post")[
            csrf_input(),
            form_errors(form_),
            field(form_.email, autocomplete="email"),
            button(type="submit")[_("Send me a link")],
        ],
        p[a(href=url_for("auth.login"))[_("Back to log in")]],
    ]


def new_password_fields(form_: Form) -> list[Element]:
    """A new password and its confirmation, as registration and password reset show them."""
    return [
        field(
            form_.password,
            autocomplete="new-password",
            hint=_("At least %(min)d characters.", min=form_.password.flags.minlength or 0),
        ),
        field(form_.password2, autocomplete="new-password"),
    ]


def reset_password_page(form_: Form, *, action: str) -> Element:
    return div(".narrow")[
        h1[_("Choose a new password")],
        form(action=action, method="post")[
            csrf_input(),
            form_errors(form_),
            new_password_fields(form_),
            button(type="submit")[_("Change my password")],
        ],
    ]


def reset_link_problem_page(*, title: str, message: str) -> Element:
    return div(".narrow")[
        h1[title],
        p[message],
        p[a(href=url_for("auth.reset_password_request"))[_("Request a new link")]],
    ]
