"""Profiles, editing one's profile, following and unfollowing."""

from datetime import timedelta

import pytest

from microblog.extensions import db
from microblog.models import User, follow_stats
from microblog.models.types import utcnow
from tests.helpers import soup


def counts_text(page, user_id: int) -> str:
    return page.find(id=f"follow-counts-{user_id}").get_text()


def test_profile_shows_avatar_about_last_seen_and_counts(browser, make_user, make_posts, follow):
    susan_id = make_user("susan", about_me="Gardens & <bikes>")
    make_user("john")
    follow("john", "susan")
    make_posts("susan", 2)
    page = soup(browser.get("/user/susan"))
    assert page.h1.get_text() == "susan"
    avatar = page.select_one(".profile img.avatar")
    assert avatar["width"] == "128" and avatar["height"] == "128" and avatar.has_attr("alt")
    assert page.select_one(".about-me").get_text() == "Gardens & <bikes>"
    assert page.select_one(".profile-facts time")["datetime"]
    assert counts_text(page, susan_id) == "1 follower · following 0 users · 2 posts"
    # Visitors see no follow button (they would have to log in first).
    assert page.select_one(".follow-form") is None


def test_counts_use_plural_forms(browser, make_user, follow):
    susan_id = make_user("susan")
    for name in ("a1", "a2"):
        make_user(name)
        follow(name, "susan")
    follow("susan", "a1")
    page = soup(browser.get("/user/susan"))
    assert counts_text(page, susan_id) == "2 followers · following 1 user · 0 posts"


def test_own_profile_has_an_edit_link_and_others_a_follow_button(susan):
    own = soup(susan.get("/user/susan"))
    assert own.select_one("main a[href='/edit_profile']").get_text() == "Edit your profile"
    assert own.select_one(".follow-form") is None
    other = soup(susan.get("/user/john"))
    form = other.select_one(".follow-form")
    assert form["action"] == form["hx-post"] == "/follow/john"
    assert form.button.get_text() == "Follow"
    assert [i["name"] for i in form.find_all("input")] == ["csrf_token"]


def test_unknown_user_is_a_404_page(browser):
    response = browser.get("/user/nobody")
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text() == "Page not found"
    assert page.find("a", href="/")


@pytest.mark.alldb
def test_profile_url_is_case_insensitive_and_redirects_to_the_real_name(browser, make_user):
    make_user("Susan")
    response = browser.get("/user/susan")
    assert response.status_code == 308
    assert response.headers["Location"] == "/user/Susan"


def test_follow_without_javascript(susan, query):
    response = susan.post("/follow/john")
    assert response.status_code == 303
    assert response.headers["Location"] == "/user/john"
    page = soup(susan.get("/user/john"))
    assert "You are following john." in page.find(id="flashes").get_text()
    assert page.select_one(".follow-form button").get_text() == "Unfollow"
    assert query(lambda: User.by_username("susan").is_following(User.by_username("john")))

    response = susan.post("/unfollow/john")
    assert response.status_code == 303
    page = soup(susan.get("/user/john"))
    assert "You are not following john anymore." in page.find(id="flashes").get_text()
    assert page.select_one(".follow-form button").get_text() == "Follow"
    assert not page.select_one(".follow-form button").has_attr("autofocus")


def test_follow_with_htmx_swaps_the_button_and_updates_counts_out_of_band(susan, query):
    john_id = query(lambda: User.by_username("john").id)
    profile_form = soup(susan.get("/user/john")).select_one(".follow-form")
    # The profile's form takes the new form, and the new counts by id.
    assert profile_form["hx-select"] == f"#follow-form-{john_id}"
    assert profile_form["hx-select-oob"] == f"#follow-counts-{john_id}"
    response = susan.post("/follow/john", htmx=True)
    assert response.status_code == 200
    page = soup(response)
    form = page.find("form")
    assert form["action"] == "/unfollow/john"
    assert form.button.get_text() == "Unfollow"
    assert form.button.has_attr("autofocus"), "a keyboard user keeps their place"
    counts = page.find(id=f"follow-counts-{john_id}")
    assert counts.get_text().startswith("1 follower")
    assert page.find(id="announcer").get_text() == "You are following john."

    page = soup(susan.post("/unfollow/john", htmx=True))
    assert page.find("form").button.get_text() == "Follow"
    assert page.find(id=f"follow-counts-{john_id}").get_text().startswith("0 followers")


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_yourself_is_refused_both_ways(susan, query, action):
    said = f"You cannot {action} yourself."
    response = susan.post(f"/{action}/susan")
    assert response.status_code == 400
    page = soup(response)
    assert page.h1.get_text() == "Bad request"
    assert page.find("main").find("p").get_text() == said
    assert page.find("main").find("a", string="Go back")["href"] == "/user/susan"

    response = susan.post(f"/{action}/susan", htmx=True)
    assert response.status_code == 400
    assert said in soup(response).find(role="alert").get_text()
    assert query(lambda: follow_stats(User.by_username("susan")).following) == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_following_an_unknown_user_is_a_404(susan, htmx):
    response = susan.post("/follow/nobody", htmx=htmx)
    assert response.status_code == 404
    assert "There is no user called nobody." in soup(response).get_text()


def test_edit_profile_changes_username_and_about_me(susan, query):
    form = soup(susan.get("/edit_profile")).find("form", action="/edit_profile")
    assert form.find(id="username")["value"] == "susan"
    assert form.find(id="about_me").get_text() == "Gardens & <bikes>"
    assert form.find(id="about_me")["maxlength"] == "140"
    response = susan.post("/edit_profile", {"username": "susie", "about_me": "Hello"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/user/susie"
    user = query(lambda: User.by_username("susie"))
    assert (user.username, user.about_me) == ("susie", "Hello")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "JOHN", "about_me": ""}, "username", "taken"),
        ({"username": "", "about_me": ""}, "username", "Please choose a username."),
        ({"username": "susan", "about_me": "x" * 141}, "about_me", "at most 140"),
    ],
)
@pytest.mark.alldb
def test_edit_profile_rejects_bad_input(susan, query, data, field, message):
    response = susan.post("/edit_profile", data)
    assert response.status_code == 422
    assert message in soup(response).find(id=f"{field}-error").get_text()
    user = query(lambda: User.by_username("susan"))
    assert user.about_me == "Gardens & <bikes>"


@pytest.mark.alldb
def test_changing_only_the_case_of_your_own_username_is_allowed(susan, query):
    assert susan.post("/edit_profile", {"username": "Susan", "about_me": ""}).status_code == 303
    assert query(lambda: User.by_username("susan").username) == "Susan"


@pytest.mark.alldb
def test_last_seen_is_written_at_most_once_a_minute(susan, app, query):
    def last_seen():
        return query(lambda: User.by_username("susan").last_seen)

    first = last_seen()
    susan.get("/explore")
    assert last_seen() == first  # written at login a moment ago: not again

    with app.app_context():
        user = User.by_username("susan")
        user.last_seen = utcnow() - timedelta(minutes=5)
        db.session.commit()
    susan.get("/explore")
    assert utcnow() - last_seen() < timedelta(seconds=30)


@pytest.mark.alldb
def test_following_twice_keeps_one_follow_and_answers_normally(susan, query):
    # A double click or two tabs: the second request finds the follow already there.
    assert susan.post("/follow/john").status_code == 303
    assert susan.post("/follow/john", htmx=True).status_code == 200
    assert query(lambda: follow_stats(User.by_username("john")).followers) == 1
