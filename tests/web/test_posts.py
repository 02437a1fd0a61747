"""Posting and the timelines, with and without htmx."""

import pytest

from microblog.models import Post
from tests.helpers import soup


def post_bodies(page) -> list[str]:
    return [p.get_text() for p in page.select("#post-list .post-body")]


def post_count(query) -> int:
    return query(lambda: Post.query.count())


def test_posting_without_javascript_redirects_and_shows_the_post(susan, query):
    response = susan.post("/index", {"post": "Hello, world!"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = soup(susan.get("/"))
    assert post_bodies(page) == ["Hello, world!"]
    assert "Your post is now live!" in page.find(id="flashes").get_text()
    assert post_count(query) == 1


def test_posting_with_htmx_returns_a_cleared_form_and_the_post_out_of_band(susan, query):
    response = susan.post("/index", {"post": "Hello, htmx!"}, htmx=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = soup(response)
    form = page.find("form", id="post-form")
    assert form is not None and page.find("html") is None
    textarea = form.find("textarea", attrs={"name": "post"})
    assert textarea.get_text() == ""
    assert textarea.has_attr("autofocus")
    prepend = page.find(attrs={"hx-swap-oob": "afterbegin:#post-list"})
    assert prepend.select_one(".post-body").get_text() == "Hello, htmx!"
    announcer = page.find(id="announcer")
    assert announcer["hx-swap-oob"] == "innerHTML"
    assert announcer.get_text() == "Post published."
    assert post_count(query) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before posting."),
        ("   \n\t  ", "Write something before posting."),
        ("x" * 281, "at most 280 characters"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_invalid_posts_are_rejected_with_422_and_an_error(susan, query, body, message, htmx):
    response = susan.post("/index", {"post": body}, htmx=htmx)
    assert response.status_code == 422
    page = soup(response)
    textarea = page.find("textarea", attrs={"name": "post"})
    assert textarea["aria-invalid"] == "true"
    assert message in page.find(id="post-error").get_text()
    assert (page.find("html") is None) is htmx  # htmx gets only the form
    assert post_count(query) == 0


@pytest.mark.alldb
def test_a_post_of_exactly_280_characters_is_accepted(susan, query):
    assert susan.post("/index", {"post": "x" * 280}).status_code == 303
    assert post_count(query) == 1


def test_the_post_form_declares_its_limits_and_guards_double_submits(susan):
    form = soup(susan.get("/")).find("form", id="post-form")
    textarea = form.find("textarea")
    # The limit is the counter's (no maxlength: the browser would cut pasted text silently).
    assert form.find(id=textarea["data-counter"])["data-max"] == "280"
    assert textarea.has_attr("required")
    assert form["action"] == form["hx-post"] == "/"
    assert form["hx-disabled-elt"] == "find button"
    assert form["hx-sync"] == "this:drop"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


def test_user_text_is_escaped(susan, query):
    susan.post("/index", {"post": '<script>alert(1)</script> & "quotes"'})
    response = susan.get("/")
    assert b"<script>alert(1)</script>" not in response.data
    assert post_bodies(soup(response)) == ['<script>alert(1)</script> & "quotes"']


def test_home_timeline_shows_own_and_followed_posts_only(browser, make_user, make_posts, follow):
    for name in ("susan", "john", "mary"):
        make_user(name)
    make_posts("susan", 1, body="by susan")
    make_posts("john", 1, body="by john")
    make_posts("mary", 1, body="by mary")
    follow("susan", "john")
    browser.login("susan")
    assert sorted(post_bodies(soup(browser.get("/")))) == ["by john", "by susan"]
    assert sorted(post_bodies(soup(browser.get("/explore")))) == ["by john", "by mary", "by susan"]


def test_empty_timeline_links_to_explore_and_suggests_people(susan, make_user, follow):
    make_user("mary")  # john comes with susan
    follow("susan", "mary")
    page = soup(susan.get("/"))
    assert post_bodies(page) == []
    empty = page.find(class_="empty-state")
    assert "Nothing here yet" in empty.get_text()
    assert empty.find("a", string="Explore")["href"] == "/explore"
    # Not herself, not whom she follows already.
    assert [a.get_text() for a in empty.select(".person-name")] == ["john"]
    assert empty.find("a", string="john")["href"] == "/user/john"
    assert page.find(class_="pager") is None


@pytest.mark.parametrize("url", ["/", "/explore", "/user/susan"])
@pytest.mark.alldb
def test_lists_are_paginated_newest_first(susan, make_posts, url):
    make_posts("susan", 30)
    first = soup(susan.get(url))
    assert len(post_bodies(first)) == 25
    assert post_bodies(first)[0] == "Post number 30"
    older = first.find("a", rel="next")
    assert first.find("a", rel="prev") is None
    second = soup(susan.get(older["href"]))
    assert post_bodies(second) == [f"Post number {n}" for n in range(5, 0, -1)]
    assert second.find("a", rel="next") is None
    assert second.find("a", rel="prev") is not None
    assert "Page 2" in second.find(class_="pager").get_text()


@pytest.mark.parametrize("url", ["/", "/explore", "/user/susan"])
@pytest.mark.alldb
def test_paging_neither_repeats_nor_skips_posts_when_someone_posts_meanwhile(
    susan, make_posts, url
):
    make_posts("susan", 30)
    older = soup(susan.get(url)).find("a", rel="next")
    make_posts("susan", 3, body="Newer post {n}")
    second = soup(susan.get(older["href"]))
    assert post_bodies(second) == [f"Post number {n}" for n in range(5, 0, -1)]
    assert "Page 2" in second.find(class_="pager").get_text()


@pytest.mark.parametrize("url", ["/", "/explore", "/user/susan"])
@pytest.mark.alldb
def test_newer_links_go_back_exactly_one_page(susan, make_posts, url):
    make_posts("susan", 60)
    first = soup(susan.get(url))
    second = soup(susan.get(first.find("a", rel="next")["href"]))
    third = soup(susan.get(second.find("a", rel="next")["href"]))
    assert post_bodies(third) == [f"Post number {n}" for n in range(10, 0, -1)]
    assert "Page 3" in third.find(class_="pager").get_text()

    back_to_second = soup(susan.get(third.find("a", rel="prev")["href"]))
    assert post_bodies(back_to_second) == post_bodies(second)
    assert "Page 2" in back_to_second.find(class_="pager").get_text()
    assert back_to_second.find("a", rel="next")["href"] == second.find("a", rel="next")["href"]
    # Back to page 1 is the top of the list, new posts included.
    make_posts("susan", 1, body="Just now")
    top = soup(susan.get(back_to_second.find("a", rel="prev")["href"]))
    assert post_bodies(top)[0] == "Just now"
    assert top.find("a", rel="prev") is None


@pytest.mark.parametrize(
    "query",
    [
        "page=9223372036854775807",
        "page=2147483648",
        "page=²",
        "before=abc",
        "before=0",
        "before=-1",
        "after=1e3",
        "before=99999999999999999999",
        "before=1&after=2",
    ],
)
@pytest.mark.alldb
def test_bad_page_or_cursor_is_a_404(susan, make_posts, query):
    make_posts("susan", 3)
    for url in ("/", "/explore", "/user/susan"):
        joiner = "&" if "?" in url else "?"
        assert susan.get(f"{url}{joiner}{query}").status_code == 404, url
        assert susan.get(f"{url}{joiner}{query}", htmx=True).status_code == 404, url


@pytest.mark.alldb
def test_a_cursor_to_a_post_that_is_gone_falls_back_to_the_page_number(susan, make_posts):
    make_posts("susan", 30)
    page = soup(susan.get("/explore?page=2&before=123456"))
    assert post_bodies(page) == [f"Post number {n}" for n in range(5, 0, -1)]
    assert susan.get("/explore?page=3&before=123456").status_code == 404


@pytest.mark.parametrize("url", ["/", "/explore", "/user/susan"])
@pytest.mark.alldb
def test_a_page_past_the_last_is_a_404(susan, make_posts, url):
    make_posts("susan", 3)
    joiner = "&" if "?" in url else "?"
    assert susan.get(f"{url}{joiner}page=2").status_code == 404
    assert susan.get(f"{url}{joiner}page=0").status_code == 404
    assert susan.get(f"{url}{joiner}page=-1").status_code == 404


def test_posts_per_page_is_configurable(susan, app, make_posts):
    app.config["POSTS_PER_PAGE"] = 5
    make_posts("susan", 6)
    assert len(post_bodies(soup(susan.get("/explore")))) == 5


@pytest.mark.parametrize("url", ["/", "/explore", "/user/susan"])
def test_pager_links_work_with_and_without_htmx(susan, make_posts, url):
    make_posts("susan", 30)
    link = soup(susan.get(url)).find("a", rel="next")
    assert link["href"] == link["hx-get"]
    assert link["hx-target"] == "#posts"
    assert link["hx-swap"] == "outerHTML"
    assert link["hx-push-url"] == "true"

    fragment_response = susan.get(link["hx-get"], htmx=True)
    assert fragment_response.status_code == 200
    assert "HX-Request" in fragment_response.headers["Vary"]
    fragment = soup(fragment_response)
    assert fragment.find("html") is None
    section = fragment.find("section", id="posts")
    assert section is not None
    assert section.find(id="posts-heading").has_attr("autofocus")
    assert len(post_bodies(fragment)) == 5
    assert fragment.find(id="announcer").get_text() == "Page 2"

    # The pushed URL, loaded directly (reload, back button, bookmark), is a full page.
    full = soup(susan.get(link["href"]))
    assert full.find("html") is not None
    assert full.find(id="posts-heading").get("autofocus") is None
    assert len(post_bodies(full)) == 5


def test_history_restore_and_boosted_requests_get_full_pages(susan):
    for header in ("HX-History-Restore-Request", "HX-Boosted"):
        page = soup(susan.get("/explore", htmx=True, headers={header: "true"}))
        assert page.find("html") is not None


def test_post_cards_show_author_avatar_and_time(susan, make_posts):
    make_posts("susan", 1)
    card = soup(susan.get("/explore")).select_one("#post-list .post")
    avatar = card.find("img")
    assert avatar.has_attr("alt") and avatar["width"] == "48" and avatar["height"] == "48"
    assert card.find("a", href="/user/susan").get_text() == "susan"
    when = card.find("time")
    assert when["datetime"].endswith("+00:00")
    assert when["title"]
    assert when.get_text().endswith("ago")


def test_an_htmx_action_clears_the_messages_of_an_earlier_one_and_reading_keeps_them(susan):
    # The flash of the login is on the page the browser shows; a post made with htmx replaces
    # the list of messages (with none of its own), a hover card or a poll leaves it alone.
    posted = soup(susan.post("/index", {"post": "Hello again"}, htmx=True))
    looked = soup(susan.get("/user/susan/popup", htmx=True))

    flashes = posted.find(id="flashes")
    assert flashes["hx-swap-oob"] == "innerHTML" and flashes.get_text(strip=True) == ""
    assert looked.find(id="flashes") is None
