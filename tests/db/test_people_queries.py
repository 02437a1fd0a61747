"""Lists of people, messages and activity cost a fixed, small number of queries, whatever
their length, and the badge poll costs one."""

import pytest

from tests.helpers import count_queries, soup

pytestmark = pytest.mark.alldb

MAX_QUERIES = 5
URLS = [
    "/user/susan/followers",
    "/user/susan/following",
    "/blocked",
    "/messages",
    "/messages/fan1",
    "/activity",
    "/user/fan1/popup",
    "/user/fan1",
]


@pytest.fixture
def busy_site(browser, make_user, follow):
    make_user("susan")
    for n in range(8):
        name = f"fan{n}"
        make_user(name)
        follow(name, "susan")
        follow("susan", name)
    for n in range(4):
        browser.log_in_as(f"fan{n}")
        browser.post("/send_message/susan", {"message": f"hello {n}"})
    browser.log_in_as("susan")
    for n in range(3):
        browser.post("/send_message/fan1", {"message": f"reply {n}"})
        browser.post(f"/block/fan{n + 5}")
    for url in URLS:  # opens the conversations (marks them read) and settles last_seen
        browser.get(url)
    return browser


@pytest.mark.parametrize("url", URLS)
def test_people_and_message_pages_cost_a_fixed_number_of_queries(app, busy_site, url):
    # The page and its htmx fragment on one site: building it is most of the test's time.
    for htmx, mode in [(False, "page"), (True, "fragment")]:
        app.config["POSTS_PER_PAGE"] = 2
        with count_queries(app) as short_page:
            assert busy_site.get(url, htmx=htmx).status_code == 200, mode
        app.config["POSTS_PER_PAGE"] = 10
        with count_queries(app) as long_page:
            assert busy_site.get(url, htmx=htmx).status_code == 200, mode
        assert len(short_page) <= MAX_QUERIES, (mode, short_page)
        assert len(long_page) == len(short_page), (mode, long_page)


def test_the_badge_poll_costs_one_query_and_writes_nothing(app, busy_site):
    app.config["LAST_SEEN_INTERVAL_SECONDS"] = 0
    poll = soup(busy_site.get("/explore")).find(id="unread-badge")["hx-get"]
    assert poll == "/messages/unread?count=3"
    with count_queries(app) as statements:
        assert busy_site.get(poll, htmx=True).status_code == 204
    assert len(statements) == 1, statements
