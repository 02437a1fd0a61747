"""Lists of followers and following, blocking, and the user card."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from microblog.extensions import db
from microblog.models import User, follow_stats, followers
from microblog.models.types import utcnow
from tests.helpers import soup


@pytest.fixture
def crowd(make_user, follow, query):
    """susan is followed by fan1..fan5, in that order (fan5 the newest), and follows fan1."""
    make_user("susan", about_me="Gardens")
    start = utcnow() - timedelta(hours=1)
    for n in range(1, 6):
        make_user(f"fan{n}", about_me=f"Fan number {n}")
        follow(f"fan{n}", "susan")
    follow("susan", "fan1")

    def spread() -> None:
        # One follow a minute, so the order does not hang on the clock's resolution.
        for n in range(1, 6):
            fan = User.by_username(f"fan{n}")
            db.session.execute(
                update(followers)
                .where(followers.c.follower_id == fan.id)
                .values(created=start + timedelta(minutes=n))
            )
        db.session.commit()

    query(spread)


def names(page) -> list[str]:
    return [a.get_text() for a in page.select("#people .person-name")]


def test_profile_counts_link_to_the_lists(browser, crowd):
    page = soup(browser.get("/user/susan"))
    counts = page.select_one(".follow-counts")
    assert counts.find("a", href="/user/susan/followers").get_text() == "5 followers"
    assert counts.find("a", href="/user/susan/following").get_text() == "following 1 user"


def test_followers_list_newest_first_with_about_me(browser, crowd):
    response = browser.get("/user/susan/followers")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "People following susan"
    assert names(page) == ["fan5", "fan4", "fan3", "fan2", "fan1"]
    assert page.select_one("#people .person .about-me").get_text() == "Fan number 5"
    assert page.find("a", href="/user/susan").get_text() == "Back to susan's profile"
    # A visitor sees no follow buttons.
    assert page.select(".follow-form") == []


def test_following_list(browser, crowd):
    page = soup(browser.get("/user/susan/following"))
    assert page.h1.get_text() == "People susan follows"
    assert names(page) == ["fan1"]
    assert names(soup(browser.get("/user/fan2/following"))) == ["susan"]


def test_empty_lists_say_so(browser, make_user):
    make_user("lonely")
    page = soup(browser.get("/user/lonely/followers"))
    assert names(page) == []
    assert page.select_one("#people .empty-state").get_text() == "Nobody follows lonely yet."
    page = soup(browser.get("/user/lonely/following"))
    assert page.select_one(".empty-state").get_text() == "lonely does not follow anyone yet."


def test_each_row_has_a_follow_button_saying_what_it_does(browser, crowd):
    browser.login("fan3")
    page = soup(browser.get("/user/susan/followers"))
    rows = {row.select_one(".person-name").get_text(): row for row in page.select(".person")}
    assert rows["fan3"].select_one(".follow-form") is None, "no button to follow yourself"
    assert rows["fan1"].select_one(".follow-form button").get_text() == "Follow"
    form = rows["fan1"].select_one(".follow-form")
    # In a list the form takes back only itself (there are no counts to update).
    assert form["hx-select"] == form["id"].replace("follow-form", "#follow-form")
    assert not form.has_attr("hx-select-oob")


def test_follow_from_a_list_swaps_the_row_button(browser, crowd, query):
    browser.login("fan3")
    response = browser.post("/follow/fan1", htmx=True)
    assert response.status_code == 200
    new_form = soup(response).select_one(".follow-form")
    assert new_form.button.get_text() == "Unfollow"
    assert not new_form.has_attr("hx-select-oob") and not new_form.has_attr("hx-vals")
    page = soup(browser.get("/user/susan/followers"))
    row = page.find("a", string="fan1").find_parent("li")
    assert row.select_one(".follow-form button").get_text() == "Unfollow"


def test_lists_page_with_cursors_that_survive_new_follows(app, browser, crowd, make_user, follow):
    app.config["POSTS_PER_PAGE"] = 2
    first = soup(browser.get("/user/susan/followers"))
    assert names(first) == ["fan5", "fan4"]
    older = first.find("a", rel="next")
    assert older["hx-get"] == older["href"] and older["hx-target"] == "#people"
    assert older["hx-push-url"] == "true"
    # Someone new follows while the reader looks at page 1: page 2 neither repeats nor skips.
    make_user("latecomer")
    follow("latecomer", "susan")
    second = soup(browser.get(older["href"]))
    assert names(second) == ["fan3", "fan2"]
    third = soup(browser.get(second.find("a", rel="next")["href"]))
    assert names(third) == ["fan1"]
    assert third.find("a", rel="next") is None
    back = soup(browser.get(third.find("a", rel="prev")["href"]))
    assert names(back) == ["fan3", "fan2"]


def test_list_page_with_htmx_is_the_section_only_and_focuses_its_heading(app, browser, crowd):
    app.config["POSTS_PER_PAGE"] = 2
    url = soup(browser.get("/user/susan/followers")).find("a", rel="next")["href"]
    page = soup(browser.get(url, htmx=True))
    assert page.find("html") is None
    assert page.find("section", id="people").h2.has_attr("autofocus")
    assert page.find(id="announcer").get_text() == "Page 2"


@pytest.mark.parametrize(
    "url",
    [
        "/user/nobody/followers",
        "/user/susan/followers?page=9",
        "/user/susan/followers?before=1&after=2",
        "/user/susan/following?page=abc",
        "/user/susan/followers?before=99999999999",
    ],
)
def test_unknown_users_and_bad_pages_are_404(browser, crowd, url):
    assert browser.get(url).status_code == 404


def test_list_url_follows_the_real_name(browser, crowd):
    response = browser.get("/user/SUSAN/followers")
    assert response.status_code == 308
    assert response.headers["Location"] == "/user/susan/followers"


# Blocking


@pytest.fixture
def susan_and_john(browser, make_user, follow):
    make_user("susan")
    make_user("john")
    follow("john", "susan")
    follow("susan", "john")
    return browser


def test_block_ends_follows_both_ways_and_refuses_new_ones(susan_and_john, query):
    browser = susan_and_john
    browser.login("susan")
    response = browser.post("/block/john")
    assert response.status_code == 303 and response.headers["Location"] == "/user/john"
    page = soup(browser.get("/user/john"))
    assert "You block john" in page.find(id="flashes").get_text()
    # The profile offers only to unblock.
    assert page.select_one(".block-form button").get_text() == "Unblock"
    assert page.select_one(".follow-form") is None
    stats = query(lambda: follow_stats(User.by_username("susan")))
    assert (stats.followers, stats.following) == (0, 0)

    browser.logout()
    browser.login("john")
    assert soup(browser.get("/user/susan")).select_one(".follow-form") is None
    response = browser.post("/follow/susan")
    assert response.status_code == 403
    page = soup(response)
    assert page.find("main").find("p").get_text() == "You cannot follow susan."
    assert page.find("main").find("a", string="Go back")["href"] == "/user/susan"
    response = browser.post("/follow/susan", htmx=True)
    assert response.status_code == 403
    assert "You cannot follow susan." in soup(response).get_text()
    assert query(lambda: follow_stats(User.by_username("susan")).followers) == 0


def test_unblock_and_the_list_of_blocked_users(susan_and_john, query):
    browser = susan_and_john
    browser.login("susan")
    browser.post("/block/john")
    page = soup(browser.get("/blocked"))
    assert page.h1.get_text() == "Blocked users"
    assert names(page) == ["john"]
    form = page.select_one("#people .block-form")
    assert form["action"] == "/unblock/john" and form.button.get_text() == "Unblock"
    assert browser.post("/unblock/john").status_code == 303
    assert names(soup(browser.get("/blocked"))) == []
    assert soup(browser.get("/blocked")).select_one(".empty-state").get_text() == (
        "You do not block anyone."
    )
    # Unblocking does not bring the old follows back, but following works again.
    assert browser.post("/follow/john").status_code == 303
    assert query(lambda: User.by_username("susan").is_following(User.by_username("john")))


def test_blocking_twice_or_yourself_or_nobody(susan_and_john):
    browser = susan_and_john
    browser.login("susan")
    assert browser.post("/block/john").status_code == 303
    assert browser.post("/block/john").status_code == 303
    for action in ("block", "unblock"):
        response = browser.post(f"/{action}/susan")
        assert response.status_code == 400
        assert soup(response).find("main").find("p").get_text() == f"You cannot {action} yourself."
    assert browser.post("/block/nobody").status_code == 404
    assert browser.post("/unblock/nobody").status_code == 404


def test_profile_offers_follow_message_and_block(susan_and_john):
    browser = susan_and_john
    browser.login("susan")
    page = soup(browser.get("/user/john"))
    actions = page.select_one(".profile-actions")
    assert actions.find("a", href="/send_message/john").get_text() == "Send message"
    assert actions.select_one(".block-form")["action"] == "/block/john"


def test_blocked_list_needs_login(browser):
    response = browser.get("/blocked")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=/blocked"


@pytest.mark.parametrize("url", ["/block/john", "/unblock/john"])
def test_block_needs_login(susan_and_john, url):
    response = susan_and_john.post(url)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")


# The user card


def test_user_card_fragment_for_htmx(browser, crowd):
    browser.login("fan2")
    response = browser.get("/user/susan/popup", htmx=True)
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is None
    card = page.select_one(".user-card")
    assert card["role"] == "group" and card["aria-label"] == "About susan"
    assert card.select_one("img.avatar")
    assert card.select_one(".about-me").get_text() == "Gardens"
    assert card.select_one(".profile-facts time")["datetime"]
    assert card.select_one(".follow-counts").get_text().startswith("5 followers")
    form = card.select_one(".follow-form")
    assert form["action"] == "/unfollow/susan"
    assert form["hx-select-oob"] == "#" + card.select_one(".follow-counts")["id"]
    assert card.find("a", href="/send_message/susan").get_text() == "Send message"


def test_user_card_is_a_whole_page_without_javascript(browser, crowd):
    browser.login("fan2")
    page = soup(browser.get("/user/susan/popup"))
    assert page.find("html") is not None
    assert page.find("main").h1.get_text() == "susan"
    assert page.select_one("main .user-card .follow-counts")


def test_follow_inside_the_card_updates_its_counts(browser, crowd, make_user, query):
    make_user("newbie")
    browser.login("newbie")
    card = soup(browser.get("/user/susan/popup", htmx=True)).select_one(".user-card")
    form = card.select_one(".follow-form")
    susan_id = query(lambda: User.by_username("susan").id)
    assert form["hx-select"] == f"#follow-form-{susan_id}"
    assert form["hx-select-oob"] == f"#follow-counts-{susan_id}"
    assert card.select_one(f"#follow-counts-{susan_id}")
    assert json.loads(form["hx-vals"]) == {"counts": "1"}
    answer = soup(browser.post(form["hx-post"], json.loads(form["hx-vals"]), htmx=True))
    new_form = answer.select_one(f"#follow-form-{susan_id}")
    assert new_form.button.get_text() == "Unfollow"
    # The form that takes its place takes the counts too, the next time.
    assert new_form["hx-select-oob"] == f"#follow-counts-{susan_id}"
    assert json.loads(new_form["hx-vals"]) == {"counts": "1"}
    assert answer.select_one(f"#follow-counts-{susan_id}").get_text().startswith("6 followers")


def test_own_card_and_blocked_card_have_no_buttons(browser, crowd):
    browser.login("susan")
    assert soup(browser.get("/user/susan/popup", htmx=True)).select_one(".follow-form") is None
    browser.post("/block/fan1")
    card = soup(browser.get("/user/fan1/popup", htmx=True))
    assert card.select_one(".follow-form") is None
    assert card.find("a", href="/send_message/fan1") is None


def test_user_card_needs_login_and_a_real_user(browser, crowd):
    response = browser.get("/user/susan/popup")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=/user/susan/popup"
    browser.login("fan1")
    assert browser.get("/user/nobody/popup", htmx=True).status_code == 404


def test_people_to_follow_leave_out_blocks_both_ways(susan_and_john, make_user):
    browser = susan_and_john
    make_user("eve")
    browser.login("eve")
    browser.post("/block/john")
    side = soup(browser.get("/explore")).select(".side-column .person-name")
    assert "john" not in [a.get_text() for a in side]
    assert "susan" in [a.get_text() for a in side]
    browser.logout()
    browser.login("john")
    side = soup(browser.get("/explore")).select(".side-column .person-name")
    assert "eve" not in [a.get_text() for a in side]
