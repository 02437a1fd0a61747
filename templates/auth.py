"""Account pages: log in and register."""

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
            field(
                form_.password,
                autocomplete="new-password",
                hint=_("At least %(min)d characters.", min=form_.password.flags.minlength or 0),
            ),
            field(form_.password2, autocomplete="new-password"),
            button(type="submit")[_("Register")],
        ],
        p[escape(_("Already have an account? %(login_link)s.")) % {"login_link": login_link}],
    ]
