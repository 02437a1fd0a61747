"""The search page: the form (active search with htmx, a plain GET form without), the people
whose name matches and the posts that match, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext
from htpy import (
    Element,
    button,
    div,
    fieldset,
    form,
    h1,
    h2,
    h3,
    input,
    label,
    legend,
    ol,
    p,
    search,
    section,
)

from templates.cards import CardContext, post_items
from templates.icons import icon
from templates.pager import PageURL, list_pager
from templates.users import ListedPerson, people_list

if TYPE_CHECKING:
    from microblog.services.search import PostHits

RESULTS_ID = "search-results"
ORDERS = ("newest", "relevance")


def _active(url: str, trigger: str) -> dict[str, str]:
    """What makes a control of the form ask for new results as it changes, swapping them in
    place and putting the new address in the location bar. A newer request replaces one still
    running, so results never arrive out of order."""
    return {
        "hx-get": url,
        "hx-trigger": trigger,
        "hx-target": f"#{RESULTS_ID}",
        "hx-swap": "outerHTML",
        "hx-push-url": "true",
        "hx-include": "closest form",
        "hx-sync": "closest form:replace",
    }


def search_form(*, url: str, text: str, order: str) -> Element:
    """The search box and the order of results. Without JavaScript, a GET form; with htmx,
    results follow the typing (after a pause) and the order as it is chosen, and the focus
    stays where it is."""
    labels = {
        # TRANSLATORS: an order of search results.
        "newest": _("Newest first"),
        # TRANSLATORS: an order of search results: the posts that match best come first.
        "relevance": _("Best match"),
    }
    return search(".search-page-form")[
        form("#search-form", action=url, method="get")[
            label(for_="search-q")[_("Search posts and people")],
            div(".search-row")[
                input(
                    "#search-q",
                    type="search",
                    name="q",
                    value=text,
                    autocomplete="off",
                    spellcheck="false",
                    aria_describedby="search-tips",
                    aria_controls=RESULTS_ID,
                    **_active(url, "input changed delay:300ms, search"),
                ),
                button(type="submit")[icon("search", small=True), _("Search")],
            ],
            p("#search-tips.hint")[
                _('Every word must be there. Use "quotes" for a phrase, -word to leave one out.')
            ],
            fieldset(".search-order")[
                legend[_("Sort results")],
                [
                    label(".search-order-choice")[
                        input(
                            type="radio",
                            name="order",
                            value=value,
                            checked=value == order,
                            **_active(url, "change"),
                        ),
                        labels[value],
                    ]
                    for value in ORDERS
                ],
            ],
        ]
    ]


def result_count(*, posts: int, people: int, capped: bool) -> str:
    """ "12 results", or "More than 100 results" when counting stopped."""
    total = posts + people
    if capped:
        return ngettext("More than %(num)d result", "More than %(num)d results", total)
    return ngettext("%(num)d result", "%(num)d results", total)


def search_results(
    *,
    text: str,
    hits: PostHits | None,
    people: Sequence[ListedPerson],
    count: str,
    cards: CardContext,
    url_for_page: PageURL,
    order: str,
    focus: bool = False,
) -> Element:
    """What a search found: the people, then the posts with their pager. `hits` None: nothing
    was asked for yet (an empty query), so a hint rather than everything. `focus`: htmx
    focuses the heading after turning the page."""
    heading_id = f"{RESULTS_ID}-heading"
    if hits is None:
        return section(f"#{RESULTS_ID}", aria_labelledby=heading_id)[
            h2(f"#{heading_id}.visually-hidden", tabindex="-1")[_("Results")],
            div(".empty-state")[
                p[_("Type a word to find the posts that contain it, or a name to find people.")],
                p[_("A #tag finds the posts that carry it.")],
            ],
        ]
    if order == "relevance":
        pager_labels = {"newer": _("Previous page"), "older": _("Next page")}
    else:
        pager_labels = {"newer": _("Newer posts"), "older": _("Older posts")}
    first_page = hits.number == 1 and not hits.has_prev
    nothing = hits.is_empty and not people
    return section(f"#{RESULTS_ID}", aria_labelledby=heading_id)[
        h2(f"#{heading_id}", tabindex="-1", autofocus=focus)[
            # TRANSLATORS: the heading of search results; %(query)s is what was typed (use
            # your language's own quotation marks).
            _("Results for “%(query)s”", query=text)
        ],
        p(".result-count")[count] if first_page and not nothing else None,
        section(".search-people", aria_labelledby="search-people-heading")[
            h3("#search-people-heading")[_("People")], people_list(people)
        ]
        if people
        else None,
        section(".search-posts", aria_labelledby="search-posts-heading")[
            h3("#search-posts-heading")[_("Posts")],
            ol("#post-list.post-list")[post_items(hits.items, context=cards)],
            p(".empty-state")[_("No post contains all these words.")] if hits.is_empty else None,
            list_pager(
                page=hits, url_for_page=url_for_page, target=f"#{RESULTS_ID}", **pager_labels
            ),
        ]
        if not nothing
        else None,
        div(".empty-state")[p[nothing_found()]] if nothing else None,
    ]


def nothing_found() -> str:
    return _("Nothing matches. Try fewer words, or other ones.")


def search_page(*, form_: Element, results: Element) -> Element:
    """The whole search page: a heading, the form and the results."""
    return div[h1[_("Search")], form_, results]
