"""The search page: a GET form that works without JavaScript and searches as one types with
htmx; people above posts, matched words marked, newest or best first, a page at a time."""

from __future__ import annotations

import pytest

from tests.helpers import soup


@pytest.fixture
def garden(make_user, make_posts):
    """susan and susanna; posts about tomatoes and others (oldest first)."""
    make_user("susan", about_me="Gardens")
    make_user("susanna")
    make_user("john")
    bodies = [
        "Tomatoes, tomatoes and more tomatoes in the garden",
        "Cycling along the river",
        "My <b>tomatoes</b> & the #garden",
        "One tomato picture",
    ]
    return {body: make_posts("susan", body=body)[0] for body in bodies}


def post_ids(page) -> list[int]:
    return [int(card["id"].removeprefix("post-")) for card in page.select("#post-list > li")]


@pytest.mark.parametrize(
    ("path", "member"),
    [
        ("/explore", False),
        ("/auth/login", False),
        ("/user/susan", False),
        ("/no-such-page", False),
        ("/", True),
        ("/edit_profile", True),
    ],
)
def test_every_page_has_a_search_box_in_the_header(browser, garden, path, member):
    if member:
        browser.login("john")
    header = soup(browser.get(path)).body.header
    box = header.select_one("search form")
    assert box["action"] == "/search" and box["method"] == "get"
    field = box.select_one("input[name=q]")
    assert field["type"] == "search"
    assert box.find("label", attrs={"for": field["id"]}).get_text() == "Search posts and people"
    assert box.select_one("button[type=submit]").get_text(strip=True) == "Search"


def test_the_header_box_leads_to_the_results_without_javascript(browser, garden):
    page = soup(browser.get("/search?q=cycling"))
    assert page.select_one("#search-q")["value"] == "cycling"
    assert len(post_ids(page)) == 1


def test_the_search_page_has_one_box_its_own(browser, garden):
    page = soup(browser.get("/search?q=tomatoes"))
    assert page.select("header search, aside form") == []
    assert [box["id"] for box in page.select("input[name=q]")] == ["search-q"]
    assert len(page.select("search")) == 1
    # Search is the header's box, not a link of the navigation.
    assert page.select("nav.side-nav a[href^='/search']") == []


def test_an_empty_query_gives_a_hint_not_every_post(browser, garden):
    for url in ("/search", "/search?q=", "/search?q=++", "/search?q=%21%3F"):
        page = soup(browser.get(url))
        assert page.select("#post-list > li") == []
        assert "Type a word" in page.select_one("#search-results .empty-state").get_text()
        assert page.h1.get_text() == "Search"


def test_results_show_people_above_posts_newest_first_with_the_words_marked(browser, garden):
    page = soup(browser.get("/search?q=SUSAN+tomatoes"))
    results = page.select_one("#search-results")
    assert [a.get_text() for a in results.select(".search-people .person-name")] == [
        "susan",
        "susanna",
    ]
    headings = [h.get_text() for h in results.select("h3")]
    assert headings == ["People", "Posts"]
    # "susan tomatoes": every word must be in the post, so no post matches both.
    assert post_ids(page) == []
    assert results.select_one(".search-posts .empty-state").get_text() == (
        "No post contains all these words."
    )

    page = soup(browser.get("/search?q=tomatoes"))
    assert post_ids(page) == [
        garden["One tomato picture"],
        garden["My <b>tomatoes</b> & the #garden"],
        garden["Tomatoes, tomatoes and more tomatoes in the garden"],
    ]
    assert page.select_one(".result-count").get_text() == "3 results"
    escaped = page.select_one(f"#post-{garden['My <b>tomatoes</b> & the #garden']} .post-body")
    # The post's own markup stays text; only the found word is marked.
    assert escaped.get_text() == "My <b>tomatoes</b> & the #garden"
    assert escaped.find("b") is None
    assert [m.get_text() for m in escaped.find_all("mark")] == ["tomatoes"]
    assert "Search: tomatoes" in page.title.get_text()
    assert page.select_one("#search-q")["value"] == "tomatoes"


def test_the_other_forms_of_a_word_are_marked_but_not_longer_words(browser, garden):
    page = soup(browser.get("/search?q=tomato"))
    first = page.select_one(f"#post-{garden['Tomatoes, tomatoes and more tomatoes in the garden']}")
    assert [m.get_text() for m in first.find_all("mark")] == ["Tomatoes", "tomatoes", "tomatoes"]
    single = page.select_one(f"#post-{garden['One tomato picture']} .post-body")
    assert [m.get_text() for m in single.find_all("mark")] == ["tomato"]


def test_order_by_relevance_is_a_choice_of_the_form(browser, garden):
    newest = soup(browser.get("/search?q=tomatoes"))
    best = soup(browser.get("/search?q=tomatoes&order=relevance"))
    assert post_ids(best)[0] == garden["Tomatoes, tomatoes and more tomatoes in the garden"]
    assert sorted(post_ids(best)) == sorted(post_ids(newest))
    assert post_ids(newest) == sorted(post_ids(newest), reverse=True)
    checked = best.select_one("input[name=order][checked]")
    assert checked["value"] == "relevance" and checked["type"] == "radio"
    assert newest.select_one("input[name=order][checked]")["value"] == "newest"
    # An order that does not exist is the default.
    assert post_ids(soup(browser.get("/search?q=tomatoes&order=%27;--"))) == post_ids(newest)


def test_the_search_box_searches_as_one_types_with_htmx(browser):
    box = soup(browser.get("/search")).select_one("#search-form #search-q")
    assert box["hx-get"] == "/search"
    assert box["hx-trigger"] == "input changed delay:300ms, search"
    assert box["hx-target"] == "#search-results"
    assert box["hx-push-url"] == "true"
    assert box["hx-include"] == "closest form"
    label = soup(browser.get("/search")).find("label", attrs={"for": "search-q"})
    assert label.get_text() == "Search posts and people"
    form = box.find_parent("form")
    assert form["action"] == "/search" and form["method"] == "get"


def test_typing_swaps_only_the_results_and_announces_how_many(browser, garden):
    response = browser.get("/search?q=tomatoes&order=newest", htmx=True)
    assert response.status_code == 200
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    page = soup(response)
    assert page.find("html") is None and page.find("form", id="search-form") is None
    results = page.select_one("section#search-results")
    assert results.select_one("h2").get("autofocus") is None  # focus stays in the box
    assert page.select_one("#announcer[hx-swap-oob]").get_text() == "3 results"
    assert "Search: tomatoes" in page.find("title").get_text()
    nothing = soup(browser.get("/search?q=zucchini", htmx=True))
    assert "Nothing matches" in nothing.select_one("#announcer").get_text()
    assert "Nothing matches" in nothing.select_one("#search-results .empty-state").get_text()


def test_results_come_a_page_at_a_time_with_cursors(app, browser, make_user, make_posts):
    app.config["POSTS_PER_PAGE"] = 2
    make_user("susan")
    ids = make_posts("susan", 5, body="Harvest report {n}")
    first = soup(browser.get("/search?q=harvest"))
    assert post_ids(first) == ids[::-1][:2]
    older = first.select_one("#search-results a[rel=next]")
    assert older["hx-get"] == older["href"] and older["hx-target"] == "#search-results"
    assert f"before={ids[3]}" in older["href"]
    # Someone posts meanwhile: the next page neither repeats nor skips a post.
    late = make_posts("susan", body="Harvest report late")[0]
    second = soup(browser.get(older["href"]))
    assert post_ids(second) == [ids[2], ids[1]]
    assert second.select_one(".result-count") is None
    turned = soup(browser.get(older["href"], htmx=True))
    assert turned.select_one("#search-results-heading")["autofocus"] is not None
    assert turned.select_one("#announcer").get_text() == "Page 2"
    back = soup(browser.get(second.select_one("a[rel=prev]")["href"]))
    # Back to the first page: the top of the list, with the post made meanwhile.
    assert post_ids(back) == [late, ids[4]]
    assert back.select_one(".result-count").get_text() == "6 results"


def test_pages_of_results_by_relevance_go_by_number(app, browser, make_user, make_posts):
    app.config["POSTS_PER_PAGE"] = 2
    make_user("susan")
    make_posts("susan", 3, body="Harvest report {n}")
    first = soup(browser.get("/search?q=harvest&order=relevance"))
    link = first.select_one("a[rel=next]")
    assert "before" not in link["href"] and "page=2" in link["href"]
    assert link.get_text() == "Next page"
    assert len(post_ids(soup(browser.get(link["href"])))) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=harvest&page=9",
        "/search?q=harvest&page=0",
        "/search?q=harvest&page=x",
        "/search?q=harvest&before=1&after=2",
    ],
)
def test_pages_that_cannot_exist_are_404(browser, make_user, make_posts, url):
    make_user("susan")
    make_posts("susan", body="Harvest")
    assert browser.get(url).status_code == 404


def test_a_hashtag_finds_the_posts_that_carry_it(browser, garden):
    page = soup(browser.get("/search?q=%23garden"))
    assert post_ids(page) == [garden["My <b>tomatoes</b> & the #garden"]]


HOSTILE = [
    '"unbalanced',
    "((( tomatoes",
    "tomatoes)",
    "AND OR NOT",
    "NEAR(tomatoes garden)",
    "tomat*",
    "*",
    "-",
    "'; DROP TABLE post; --",
    "100% _under_score\\",
    "tomatoes\x00garden",
    "\x00",
    "+tomatoes -+-+ @garden ~x <y >z",
    "x" * 1000,
    "tomatoes " * 150,
    "番茄 花园",
    "помидоры",
    "<script>alert(1)</script>",
    "{tomatoes}",
    "body:tomatoes",
]


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_hostile_queries_give_results_or_the_empty_state(browser, garden, raw, order):
    for htmx in (False, True):
        response = browser.get("/search", query_string={"q": raw, "order": order}, htmx=htmx)
        assert response.status_code == 200, raw
        page = soup(response)
        results = page.select_one("#search-results")
        assert results.select("#post-list > li") or results.select_one(".empty-state")
        assert page.find("script", string=True) is None
        if not htmx:
            assert "\x00" not in page.select_one("#search-q")["value"]
