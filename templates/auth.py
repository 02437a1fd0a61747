"""Account pages: the welcome page with the login form, register, reset a password."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, Node, a, button, div, form, h1, h2, h3, li, ol, p, section, ul
from markupsafe import escape
from wtforms import Form

from templates.cards import CardContext, post_items
from templates.forms import csrf_input, field, form_errors
from templates.hx import hx_form

if TYPE_CHECKING:
    from microblog.models.rows import PostRow


def login_form(form_: Form, *, action: str) -> Element:
    """The login form, as the welcome page shows it."""
    return form(action=action, method="post")[
        csrf_input(),
        form_errors(form_),
        field(form_.username, autocomplete="username", autocapitalize="none"),
        field(form_.password, autocomplete="current-password"),
        field(form_.remember_me),
        button(type="submit")[_("Log in")],
    ]


def login_page(
    form_: Form,
    *,
    action: str,
    latest_posts: Sequence[PostRow],
    cards: CardContext,
    post_length: int,
) -> Element:
    """The front door: what the site is, log in, create an account, the latest posts."""
    # TRANSLATORS: the site's name, as in the header.
    site_name = _("Microblog")
    return div(".welcome")[
        section(".welcome-intro", aria_labelledby="welcome-heading")[
            h1("#welcome-heading")[_("Welcome to %(site)s", site=site_name)],
            p(".welcome-lead")[
                _(
                    "Short posts from people you choose to follow. Share what you are up to in "
                    "%(max)d characters, follow people, and read them all in one timeline.",
                    max=post_length,
                )
            ],
        ],
        div(".welcome-panels")[
            section(".panel", aria_labelledby="login-heading")[
                h2("#login-heading")[_("Log in")],
                login_form(form_, action=action),
                p[a(href=url_for("auth.reset_password_request"))[_("Forgot your password?")]],
            ],
            section(".panel", aria_labelledby="join-now-heading")[
                h2("#join-now-heading")[_("New here?")],
                p[_("An account takes a minute: a username, an email address, a password.")],
                a(".button", href=url_for("auth.register"))[_("Create account")],
            ],
        ],
        section(aria_labelledby="latest-heading")[
            div(".page-heading")[
                h2("#latest-heading")[_("Latest posts")],
                a(href=url_for("main.explore"))[_("See everything on Explore")],
            ],
            ol(".post-list")[post_items(latest_posts, context=cards)]
            if latest_posts
            else p(".empty-state")[_("Nobody has posted yet.")],
        ],
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
    """A new password and its confirmation, as registration and password reset show them.
    When the form came back for another reason (a username taken, say), what was typed in
    them stays, so only the problem needs fixing."""
    keep = bool(form_.errors) and not (form_.password.errors or form_.password2.errors)
    return [
        field(
            form_.password,
            autocomplete="new-password",
            hint=_(
                "At least %(min)d characters; not your username or email address, nor one of "
                "the most common passwords.",
                min=form_.password.flags.minlength or 0,
            ),
            keep_value=keep,
        ),
        field(form_.password2, autocomplete="new-password", keep_value=keep),
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


def logout_everywhere_form(*, done: bool = False) -> Element:
    """The button that ends every other session of the account; after it was pressed (with
    htmx, in place), it says so."""
    return form("#logout-everywhere", **hx_form(url_for("auth.logout_everywhere")))[
        csrf_input(),
        p(".hint")[
            _(
                "Logs you out in every other browser and device, forgets every "
                "\u201cRemember me\u201d, and revokes your API tokens. You stay logged in here."
            )
        ],
        _done(_("Every other session has ended.") if done else None),
        button(type="submit")[_("Log out everywhere else")],
    ]


def account_settings(*, email: str, logout_everywhere: Element) -> Element:
    """The account part of the settings page: the email address, links to each account
    setting, and the button that ends every other session."""
    return section(".account-settings", aria_labelledby="account-heading")[
        h2("#account-heading")[_("Account")],
        p[_("Your email address: %(email)s", email=email)],
        ul(".settings-links")[
            li[a(href=url_for("auth.change_password"))[_("Change your password")]],
            li[a(href=url_for("auth.change_email"))[_("Change your email address")]],
            li[a(href=url_for("auth.delete_account"))[_("Delete your account")]],
        ],
        section(aria_labelledby="sessions-heading")[
            h3("#sessions-heading")[_("Sessions")],
            logout_everywhere,
        ],
    ]


def settings_page(*, title: str, form_: Element, intro: Node = None) -> Element:
    """A page of one account setting: its title, what it does, its form, the way back."""
    return div(".narrow")[
        h1[title],
        intro,
        form_,
        p[a(href=url_for("main.edit_profile"))[_("Back to your settings")]],
    ]


def _done(message: str | None) -> Node:
    """What a settings form says once it did its work (htmx swaps it in with the form)."""
    return p(".form-success", role="status")[message] if message else None


def change_password_form(form_: Form, *, done: str | None = None) -> Element:
    """The current password, then the new one twice."""
    return form("#change-password", **hx_form(url_for("auth.change_password")))[
        csrf_input(),
        form_errors(form_),
        _done(done),
        field(form_.current_password, autocomplete="current-password"),
        new_password_fields(form_),
        button(type="submit")[_("Change password")],
    ]


def change_email_form(form_: Form, *, done: str | None = None) -> Element:
    """The new address, and the password to show it is you."""
    return form("#change-email", **hx_form(url_for("auth.change_email")))[
        csrf_input(),
        form_errors(form_),
        _done(done),
        field(form_.email, autocomplete="email"),
        field(form_.password, autocomplete="current-password"),
        button(type="submit")[_("Send me a link")],
    ]


def change_email_intro(*, email: str) -> Element:
    return p[
        _(
            "Your address is %(email)s. We will mail a link to the new one, and your address "
            "changes when you open that link. Your old address gets a notice.",
            email=email,
        )
    ]


def confirm_email_page(*, username: str, new_email: str, action: str) -> Element:
    """The page the link in the confirmation mail opens: one button does the change (a
    link opened by a mail scanner changes nothing)."""
    return div(".narrow")[
        h1[_("Confirm your new email address")],
        p[
            _(
                "Use %(email)s as the email address of the account %(username)s?",
                email=new_email,
                username=username,
            )
        ],
        form(action=action, method="post")[
            csrf_input(),
            button(type="submit")[_("Use this address")],
        ],
    ]


def link_problem_page(*, title: str, message: str, again_url: str, again_text: str) -> Element:
    """A mailed link that cannot be used, with the way to ask for another."""
    return div(".narrow")[h1[title], p[message], p[a(href=again_url)[again_text]]]


def delete_account_warning() -> Element:
    return div(".warning", role="note")[
        p[
            _(
                "This deletes your account for good: your posts, your messages (sent and "
                "received), who you follow and who follows you, your blocks, your API tokens "
                "and your exports. Nobody will see any of it again, and your username becomes "
                "free for anyone to take."
            )
        ],
        p[_("This cannot be undone.")],
    ]


def delete_account_form(form_: Form) -> Element:
    """The password, and the button that deletes the account."""
    return form("#delete-account", **hx_form(url_for("auth.delete_account")))[
        csrf_input(),
        form_errors(form_),
        field(form_.password, autocomplete="current-password"),
        button(".danger", type="submit")[_("Delete my account")],
    ]
