"""A page costs a fixed, small number of SQL queries whatever its length."""

import pytest

from tests.helpers import count_queries, soup

MAX_QUERIES = 5

pytestmark = pytest.mark.alldb  # the subject of every test here is the database


@pytest.fixture
def busy_site(browser, make_user, make_posts, follow):
    make_user("susan")
    for n in range(6):
        name = f"author{n}"
        make_user(name)
        follow("susan", name)
        make_posts(name, 6)
    make_posts("susan", 6)
    browser.login("susan")
    browser.get("/")  # settle last_seen so it is not written during the measured requests
    return browser


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/index?page=2",
        "/explore",
        "/explore?page=2",
        "/user/author1",
        "/user/susan",
        "/search?q=post+number",
        "/search?q=post&order=relevance",
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_pages_issue_a_fixed_small_number_of_queries(app, busy_site, url, htmx):
    with count_queries(app) as few_posts_statements:
        assert busy_site.get(url, htmx=htmx).status_code == 200
    app.config["POSTS_PER_PAGE"] = 10
    with count_queries(app) as more_posts_statements:
        assert busy_site.get(url, htmx=htmx).status_code == 200
    assert len(few_posts_statements) <= MAX_QUERIES, few_posts_statements
    assert len(more_posts_statements) == len(few_posts_statements)


@pytest.mark.parametrize("rel", ["next", "prev"])
def test_pages_next_to_a_post_cost_as_few_queries(app, busy_site, rel):
    app.config["POSTS_PER_PAGE"] = 10
    second = soup(busy_site.get(soup(busy_site.get("/")).find("a", rel="next")["href"]))
    third_url = second.find("a", rel="next")["href"]
    url = (
        third_url if rel == "next" else soup(busy_site.get(third_url)).find("a", rel="prev")["href"]
    )
    with count_queries(app) as statements:
        assert busy_site.get(url, htmx=True).status_code == 200
    assert len(statements) == 2, statements


def test_a_plain_get_writes_nothing(app, busy_site):
    with count_queries(app) as statements:
        for url in ("/", "/explore", "/user/author1"):
            busy_site.get(url)
    writes = [
        s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_own_profile_shows_the_export_within_the_budget_and_others_never_ask(app, busy_site, htmx):
    """One's own profile reads the export's state in place of looking the profile up (the
    viewer is already loaded); another's profile never reads the task table."""
    from microblog.extensions import db
    from microblog.models import Task, User

    with count_queries(app) as others:
        assert busy_site.get("/user/author1", htmx=htmx).status_code == 200
    with count_queries(app) as own_without_export:
        assert busy_site.get("/user/susan", htmx=htmx).status_code == 200
    with app.app_context():
        Task.create(user_id=User.by_username("susan").id, kind="export_posts", description="x")
        db.session.commit()
    with count_queries(app) as own_with_export:
        page = soup(busy_site.get("/user/susan", htmx=htmx))
    assert not any("task" in statement.lower() for statement in others), others
    assert len(own_with_export) == len(own_without_export) <= len(others) <= MAX_QUERIES
    # A page turn (htmx) swaps the list alone, so it does not read the export either.
    assert (page.find(id="export") is not None) is (not htmx)
    assert any("task" in statement.lower() for statement in own_with_export) is (not htmx)


def test_people_mentioned_cost_one_query_whatever_how_many(app, browser, make_user, make_posts):
    for name in ("susan", "john", "mary"):
        make_user(name)
    make_posts("susan", 3, body="Plain post {n}")
    with count_queries(app) as plain:
        assert browser.get("/explore").status_code == 200
    make_posts("john", 3, body="Hi @susan and @mary and @nobody #{n}")
    with count_queries(app) as few:
        assert browser.get("/explore").status_code == 200
    make_posts("mary", 6, body="@john @susan @ghost{n} see #garden")
    with count_queries(app) as more:
        assert browser.get("/explore").status_code == 200
    assert len(few) == len(plain) + 1
    assert len(more) == len(few)


def test_the_first_page_of_a_search_and_its_count_are_one_query_where_the_database_can(
    app, busy_site, backend
):
    with count_queries(app) as statements:
        page = soup(busy_site.get("/search?q=post+number"))
    assert len(page.select("main article")) == app.config["POSTS_PER_PAGE"]
    searches = [s for s in statements if "search_vector" in s or "_fts" in s or "MATCH" in s]
    # PostgreSQL finds the matches once for both; SQLite and MariaDB count, then read the page.
    assert len(searches) == (1 if backend == "postgresql" else 2), searches
    # Best first, every database ranks the newest matches once, and counts them too.
    with count_queries(app) as statements:
        page = soup(busy_site.get("/search?q=post+number&order=relevance"))
    assert len(page.select("main article")) == app.config["POSTS_PER_PAGE"]
    searches = [s for s in statements if "search_vector" in s or "_fts" in s or "MATCH" in s]
    assert len(searches) == 1, searches
