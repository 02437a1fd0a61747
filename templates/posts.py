"""Posts: the paginated list of post cards (see templates.cards) and the post form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from htpy import Element, Node, a, button, div, form, h1, h2, h3, nav, ol, p, section, span
from markupsafe import escape
from wtforms import Form

from templates.cards import CardContext, post_items
from templates.forms import csrf_input, field, js_only
from templates.hx import hx_form, hx_link
from templates.users import ListedPerson, people_list

if TYPE_CHECKING:
    from microblog.models.pagination import Page
    from microblog.models.rows import PostRow


class PageURL(Protocol):
    """The URL of page `number` of a list; `before` / `after` (a post id) ask for the posts
    just older / newer than that post."""

    def __call__(self, number: int, *, before: int = ..., after: int = ...) -> str: ...


def pager(*, page: Page, url_for_page: PageURL) -> Node:
    """Newer / older links that work as plain links and, with htmx, swap section#posts.

    They point next to the first / last post shown rather than to a page number, so paging
    neither repeats nor skips posts when someone posts meanwhile; back to page 1 is the top.
    """
    if not page.has_prev and not page.has_next:
        return None
    newer = older = None
    if page.has_prev:
        if page.number <= 2:
            url = url_for_page(1)
        else:
            url = url_for_page(page.number - 1, after=page.items[0].id)
        newer = a(rel="prev", **hx_link(url, target="#posts"))[_("Newer posts")]
    if page.has_next:
        url = url_for_page(page.number + 1, before=page.items[-1].id)
        older = a(rel="next", **hx_link(url, target="#posts"))[_("Older posts")]
    # TRANSLATORS: the name screen readers give the newer / older posts navigation.
    return nav(class_="pager", aria_label=_("Pages"))[
        span(".pager-prev")[newer],
        span(".pager-current")[_("Page %(number)d", number=page.number)],
        span(".pager-next")[older],
    ]


def posts_section(
    *,
    page: Page,
    cards: CardContext,
    heading: str,
    empty_text: Node,
    url_for_page: PageURL,
    focus: bool = False,
) -> Element:
    """The swappable list of posts with its heading and pager.

    `focus` marks the heading for htmx to focus after a swap, so a screen-reader user who
    turned the page lands at the top of the new list.
    """
    return section("#posts", aria_labelledby="posts-heading")[
        h2("#posts-heading", tabindex="-1", autofocus=focus)[heading],
        ol("#post-list.post-list")[post_items(page.items, context=cards)],
        div(".empty-state")[empty_text] if page.is_empty else None,
        pager(page=page, url_for_page=url_for_page),
    ]


def post_form(form_: Form, *, focus: bool = False) -> Element:
    """The "say something" form; with htmx it replaces itself and focus returns to it."""
    limit = form_.post.flags.maxlength
    return form("#post-form.post-form", **hx_form(url_for("main.index")))[
        csrf_input(),
        field(
            form_.post,
            hint=[_("Up to %(max)d characters.", max=limit), " ", js_only(_("Ctrl+Enter posts."))],
            dir="auto",
            rows=3,
            autofocus=focus,
            # No maxlength: the browser would cut pasted text short without a word; a post
            # that is too long gets the form's error instead, and the counter warns before.
            maxlength=False,
            data_counter="post-counter",
            data_draft="post",
        ),
        div(".composer-footer")[
            # Shown and kept up to date by app.js; screen readers hear it only near the limit.
            span(
                "#post-counter.char-counter",
                hidden=True,
                aria_hidden="true",
                data_max=limit,
                # TRANSLATORS: said near the limit while typing a post; {n} is a number.
                data_left=_("Characters left: %(num)s", num="{n}"),
                # TRANSLATORS: said while a post is too long; {n} is a number.
                data_over=_("Characters over the limit: %(num)s", num="{n}"),
            ),
            span("#post-counter-status.visually-hidden", aria_live="polite"),
            # TRANSLATORS: the button that publishes what was typed (a verb).
            button(type="submit")[pgettext("button", "Post")],
        ],
    ]


def new_post_oob(post: PostRow, *, cards: CardContext) -> Element:
    """A just-published post, prepended to the list already on the page (htmx only)."""
    return div(hx_swap_oob="afterbegin:#post-list")[post_items([post], context=cards)]


def home_empty_state(*, suggestions: Sequence[ListedPerson]) -> Element:
    """What an empty home timeline says: how to fill it, and a few people to follow."""
    explore_link = a(href=url_for("main.explore"))[_("Explore")]
    return div[
        p[
            escape(
                # TRANSLATORS: %(explore)s is a link to the Explore page, named "Explore".
                _(
                    "Nothing here yet. Write your first post, or find people to follow on "
                    "%(explore)s."
                )
            )
            % {"explore": explore_link}
        ],
        [h3[_("People you might like")], people_list(suggestions)] if suggestions else None,
    ]


def home_page(*, username: str, form_: Node, posts: Element) -> Element:
    """The home page: a greeting, the post form (`form_`, from post_form(); a function that
    makes it is called only when the page is rendered) and the timeline."""
    return div[h1[_("Hi, %(username)s!", username=username)], form_, posts]


def explore_page(*, posts: Element) -> Element:
    return div[h1[_("Explore")], posts]
