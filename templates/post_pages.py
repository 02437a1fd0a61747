"""A post's own page, and the author's controls on a card: Edit (the form, in place of the
card with htmx or on a page of its own) and Delete (a confirmation in the card, or a page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import format_datetime
from flask_babel import gettext as _
from htpy import Element, Node, a, button, div, form, h1, input, li, ol, p, span, time
from markupsafe import Markup, escape
from wtforms import Form

from templates.cards import CardContext, post_items
from templates.forms import csrf_input, field, form_errors, js_only
from templates.hx import hx_form, hx_link
from templates.icons import icon_label

if TYPE_CHECKING:
    from microblog.models.rows import PostRow

TITLE_TEXT_LENGTH = 60  # characters of a post shown in its page's <title>


def _card_id(post_id: int) -> str:
    return f"post-{post_id}"


def post_title(post: PostRow) -> str:
    """The title of a post's page: who said it, and how it starts, on one line."""
    text = " ".join(post.body.split())
    if len(text) > TITLE_TEXT_LENGTH:
        text = text[:TITLE_TEXT_LENGTH].rsplit(" ", 1)[0] + "…"
    # TRANSLATORS: the title of a post's own page, e.g. susan: “My first post”.
    return _("%(username)s: “%(text)s”", username=post.author.username, text=text)


@dataclass(frozen=True)
class ControlLabels:
    """The names of the author's controls, translated once per list of cards."""

    edit: str
    delete: str


def control_labels() -> ControlLabels:
    return ControlLabels(edit=_("Edit"), delete=_("Delete"))


def author_controls(
    *, post_id: int, edit_url: str, delete_url: str, labels: ControlLabels, focus: str | None
) -> list[Element]:
    """Edit and Delete under one's own post. With htmx, Edit turns the card into the form and
    Delete puts a confirmation in place of the controls; without, each opens its page.
    `focus` ("edit" or "delete") is the control that takes the focus when the card comes back
    (after Cancel or Save)."""
    card = f"#{_card_id(post_id)}"
    return [
        a(
            ".icon-button.post-action.post-edit",
            aria_describedby=f"{_card_id(post_id)}-by",
            autofocus=focus == "edit",
            **hx_link(edit_url, target=card, push_url=False),
        )[icon_label("edit", labels.edit)],
        a(
            ".icon-button.post-action.post-delete",
            aria_describedby=f"{_card_id(post_id)}-by",
            autofocus=focus == "delete",
            **hx_link(delete_url, target=f"{card} .post-actions", push_url=False),
        )[icon_label("delete", labels.delete)],
    ]


def _cancel_link(*, back_to: str, card_url: str | None, post_id: int) -> Element:
    """Cancel: back to the card in place (htmx, `card_url`), or to the page the reader came
    from (`back_to`)."""
    if card_url is None:
        return a(".button.secondary", href=back_to)[_("Cancel")]
    attrs = hx_link(card_url, target=f"#{_card_id(post_id)}", push_url=False)
    attrs["href"] = back_to  # without JavaScript, back where the reader came from
    # Inside the form, it would otherwise take the form's "find button" (which it has not).
    attrs["hx-disabled-elt"] = "this"
    return a(".button.secondary", data_cancel=True, **attrs)[_("Cancel")]


def post_card(post: PostRow, *, cards: CardContext) -> Markup:
    """One card, as in every list of posts (an `li`)."""
    return post_items([post], context=cards)


def _full(moment: datetime) -> Element:
    return time(datetime=moment.isoformat())[format_datetime(moment, "full")]


def post_page(*, post: PostRow, card: Markup, author_url: str) -> Element:
    """A post on its own page: the card, then when it was written (and edited) in full."""
    # TRANSLATORS: under a post on its own page; %(date)s is a full date and time.
    dates: list[Node] = [span[escape(_("Posted %(date)s")) % {"date": _full(post.timestamp)}]]
    if post.edited_at is not None:
        # TRANSLATORS: under an edited post on its own page; %(date)s is a full date and time.
        dates.append(span[escape(_("Edited %(date)s")) % {"date": _full(post.edited_at)}])
    return div(".post-page")[
        h1[_("Post by %(username)s", username=post.author.username)],
        ol(".post-list")[card],
        p(".post-dates")[dates],
        p[a(href=author_url)[_("More posts by %(username)s", username=post.author.username)]],
    ]


def edit_form(
    form_: Form,
    *,
    post_id: int,
    action: str,
    back_to: str,
    card_url: str | None,
) -> Element:
    """The form that changes a post. In a card (`card_url`, where Cancel brings the card
    back), htmx sends it and the card comes back in its place; on its own page it is a
    plain form (post/redirect/get)."""
    limit = form_.post.flags.maxlength
    counter = f"{_card_id(post_id)}-counter"
    in_card = card_url is not None
    attrs = (
        {**hx_form(action, target=f"#{_card_id(post_id)}"), "data-escape-cancels": True}
        if in_card
        else {"action": action, "method": "post"}
    )
    return form(".post-edit-form", id=f"{_card_id(post_id)}-edit", **attrs)[
        None if in_card else form_errors(form_),
        csrf_input(),
        input(type="hidden", name="next", value=back_to),
        field(
            form_.post,
            hint=[_("Up to %(max)d characters.", max=limit), " ", js_only(_("Ctrl+Enter saves."))],
            dir="auto",
            rows=3,
            autofocus=True,
            maxlength=False,
            data_counter=counter,
        ),
        div(".composer-footer")[
            span(
                f"#{counter}.char-counter",
                hidden=True,
                aria_hidden="true",
                data_max=limit,
                data_left=_("Characters left: %(num)s", num="{n}"),
                data_over=_("Characters over the limit: %(num)s", num="{n}"),
            ),
            span(f"#{counter}-status.visually-hidden", aria_live="polite"),
            _cancel_link(back_to=back_to, card_url=card_url, post_id=post_id),
            button(type="submit")[_("Save")],
        ],
    ]


def editing_card(*, post_id: int, form_: Element) -> Element:
    """A card turned into its edit form (htmx swaps it for the card, and back)."""
    return li(".post.post-editing", id=_card_id(post_id))[form_]


def edit_page(*, form_: Element) -> Element:
    return div(".post-page")[h1[_("Edit your post")], form_]


def delete_confirmation(
    *, post_id: int, action: str, back_to: str, card_url: str | None
) -> Element:
    """ "Delete this post?" with Delete and Cancel. In a card (`card_url`), it takes the place
    of the controls, the question takes the focus, and htmx removes the card once it is
    deleted; on its own page (whose heading asks) it is a plain form."""
    buttons = [
        csrf_input(),
        input(type="hidden", name="next", value=back_to),
        button(type="submit")[_("Delete")],
        _cancel_link(back_to=back_to, card_url=card_url, post_id=post_id),
    ]
    if card_url is None:
        return form(".post-confirm", action=action, method="post")[buttons]
    question = f"{_card_id(post_id)}-delete-question"
    return div(
        ".post-actions.post-confirm",
        role="group",
        aria_labelledby=question,
        data_escape_cancels=True,
    )[
        p(".post-confirm-question", id=question, tabindex="-1", autofocus=True)[
            _("Delete this post?")
        ],
        form(
            data_deletes_post=True,
            **hx_form(action, target=f"#{_card_id(post_id)}", swap="delete"),
        )[buttons],
    ]


def delete_page(*, card: Markup, confirmation: Element) -> Element:
    return div(".post-page")[
        h1[_("Delete this post?")],
        ol(".post-list")[card],
        p[_("Deleting a post cannot be undone.")],
        confirmation,
    ]
