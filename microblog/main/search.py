"""The search page: posts matching the words typed, and people whose name matches."""

from __future__ import annotations

from functools import partial

from flask import Response, current_app, request, url_for
from flask_babel import gettext as _

from microblog.extensions import post_cards
from microblog.main import bp
from microblog.main.paging import page_request, requested_page
from microblog.responses import announce, listed_people, page_turn, render
from microblog.security import nul_in_query_is_text
from microblog.services.search import (
    COUNT_MAX,
    Order,
    parse_query,
    search_first_page,
    search_posts,
    search_users,
)
from templates.search import (
    nothing_found,
    result_count,
    search_form,
    search_page,
    search_results,
)

# Characters of the query shown in the page's title (the page itself shows it all).
TITLE_QUERY_MAX = 60


@bp.route("/search")
@nul_in_query_is_text
def search() -> Response:
    """Posts with the words you typed, newest or best first, and people by their name."""
    raw = request.args.get("q", "")
    order: Order = "relevance" if request.args.get("order") == "relevance" else "newest"
    asked = page_request()
    query = parse_query(raw)
    # What is shown and echoed: the query without control characters, as it was read.
    text = query.text
    hits, people, count = None, [], ""
    focus = False
    if not query.is_empty:
        # The first page says how many match (with the page, in one query where it can).
        matched = None
        if asked.is_first:
            per_page = current_app.config["POSTS_PER_PAGE"]
            hits, matched = search_first_page(query, order=order, per_page=per_page)
        else:
            hits = requested_page(partial(search_posts, raw, order=order), asked)
        if matched is not None:
            people = listed_people(search_users(raw))
            count = result_count(
                posts=min(matched, COUNT_MAX), people=len(people), capped=matched > COUNT_MAX
            )
            if not (matched or people):
                count = ""
        # Pager links name their page; typing and choosing an order do not, and keep the
        # focus where it is (in the search box) while the reader hears what was found.
        if "page" in request.args:
            focus = page_turn(asked.number)
        else:
            announce(count or nothing_found())
    url = url_for("main.search")
    results = search_results(
        text=text,
        hits=hits,
        people=people,
        count=count,
        cards=post_cards.context(highlight=query.highlight_terms, posts=hits.items if hits else ()),
        url_for_page=lambda page, **cursor: url_for(
            "main.search",
            q=text,
            order=order,
            page=page,
            **(cursor if order == "newest" else {}),
        ),
        order=order,
        focus=focus,
    )
    if text:
        shown = text if len(text) <= TITLE_QUERY_MAX else text[:TITLE_QUERY_MAX] + "…"
        # TRANSLATORS: the title of the search page; %(query)s is what was searched for.
        title = _("Search: %(query)s", query=shown)
    else:
        title = _("Search")
    return render(
        results,
        page_title=title,
        page_content=search_page(
            form_=search_form(url=url, text=text, order=order), results=results
        ),
        retitle=True,
    )
