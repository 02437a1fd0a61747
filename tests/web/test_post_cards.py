"""The cache of rendered post cards: a card seen again is not rendered again, yet every reader
still sees it as it is now, in their language, their timezone and at this minute."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from htpy import a as a_element
from markupsafe import Markup

from microblog import config, create_app
from microblog.extensions import db, post_cards
from microblog.models import Post, PostList, User, paginate
from templates.cards import CardBody, card_body, post_items
from tests.helpers import Browser, reset_schema, soup

LATE_EVENING = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


@pytest.fixture
def site(make_user, make_posts):
    make_user("susan")
    make_user("john")
    make_posts("susan", 3)


def cache_info(app):
    return post_cards.cache_info(app)


def post_list(browser: Browser, url: str = "/explore", **headers: str):
    return soup(browser.get(url, headers=headers)).select_one("#post-list")


def meta_texts(post_list) -> list[str]:
    return [meta.get_text() for meta in post_list.select(".post-meta")]


def test_cards_seen_again_come_from_the_cache_and_read_the_same(app, browser, site):
    first = post_list(browser)
    assert cache_info(app).misses == 3
    again = post_list(browser)
    assert again == first
    assert cache_info(app).misses == 3 and cache_info(app).hits == 3
    # The htmx fragment of the list uses the same cached cards.
    assert post_list(browser, "/explore?page=1", **{"HX-Request": "true"}) == first
    assert cache_info(app).hits == 6


def test_a_renamed_author_shows_under_the_new_name_on_cards_already_cached(browser, site):
    browser.login("susan")
    assert post_list(browser).find("a", href="/user/susan") is not None
    form = {"username": "susie", "about_me": "", "language": "", "timezone": ""}
    assert browser.post("/edit_profile", form).status_code == 303
    cards = post_list(browser)
    assert cards.find("a", href="/user/susan") is None
    assert [a.get_text() for a in cards.select(".post-meta a:not(.post-time)")] == ["susie"] * 3


def test_cached_cards_follow_each_readers_language(browser, site):
    english = meta_texts(post_list(browser))
    spanish = meta_texts(post_list(browser, **{"Accept-Language": "es"}))
    assert all(text.startswith("susan said ") for text in english)
    assert all(text.startswith("susan escribió hace ") for text in spanish)
    assert meta_texts(post_list(browser)) == english


def test_cached_cards_follow_each_readers_timezone(app, browser, make_user, query):
    make_user("susan")

    def add() -> None:
        db.session.add(
            Post(body="Good night", author=User.by_username("susan"), timestamp=LATE_EVENING)
        )
        db.session.commit()

    query(add)
    assert post_list(browser).find("time").get_text() == "Jan 15, 2026"
    browser.client.set_cookie("tz", "Asia/Tokyo")
    time = post_list(browser).find("time")
    assert time.get_text() == "Jan 16, 2026"
    assert time["title"].startswith("Friday, January 16, 2026, 8:30:00")
    browser.client.delete_cookie("tz")
    assert post_list(browser).find("time").get_text() == "Jan 15, 2026"


def test_a_cached_card_keeps_its_relative_time_current(app, site):
    def cards_at(now: datetime) -> BeautifulSoup:
        with app.test_request_context():
            post = paginate(PostList.explore(), page=1, per_page=1).items[0]
            context = post_cards.context(now=post.timestamp + (now - LATE_EVENING))
            html = str(post_items([post], context=context))
        return BeautifulSoup(html, "html.parser")

    three_minutes = cards_at(LATE_EVENING + timedelta(minutes=3))
    two_hours = cards_at(LATE_EVENING + timedelta(hours=2))
    assert three_minutes.find("time").get_text() == "3 minutes ago"
    assert two_hours.find("time").get_text() == "2 hours ago"
    assert cache_info(app).misses == 1 and cache_info(app).hits == 1
    # Everything but the relative time is the cached card.
    two_hours.find("time").string = "3 minutes ago"
    assert two_hours == three_minutes
    # A week later the card shows a date, "said on …": another card.
    week = cards_at(LATE_EVENING + timedelta(days=8))
    assert week.find(class_="post-meta").get_text().startswith("susan said on ")
    assert cache_info(app).misses == 2


def test_a_post_cannot_forge_the_place_of_the_relative_time(browser, make_user, make_posts):
    make_user("susan")
    make_posts("susan", 1, body="<!--when--> is not a time")
    card = post_list(browser).select_one(".post")
    assert card.select_one(".post-body").get_text() == "<!--when--> is not a time"
    assert card.find("time").get_text().endswith("ago")


@pytest.mark.parametrize("size", [0, 2])
def test_post_card_cache_size_bounds_the_cache(size):
    app = create_app(config.TestConfig("sqlite://", POST_CARD_CACHE_SIZE=size))
    reset_schema(app)
    with app.app_context():
        author = User(username="susan", email="susan@example.com")
        db.session.add_all([author, *(Post(body=f"Post {n}", author=author) for n in range(5))])
        db.session.commit()
    browser = Browser(app.test_client())
    for _ in range(2):
        assert len(post_list(browser).select(".post")) == 5
    info = cache_info(app)
    assert info.maxsize == size and info.currsize == size and info.hits == 0


def test_a_card_body_is_rendered_from_its_inputs_alone():
    # No app, no request: a body that read url_for, the config or Babel would fail here.
    card = CardBody(
        post_id=7,
        post_url="/somewhere/post/7",
        body="Hola <amigos>",
        language="es",
        timestamp=LATE_EVENING,
        edited_at=LATE_EVENING + timedelta(hours=1),
        edited_label="bearbeitet",
        author_name="susan",
        author_url="/somewhere/susan",
        avatar_url="/pictures/susan.svg",
        said=Markup("%(username)s schrieb am %(when)s"),
        relative=False,
        locale="de",
        timezone="Asia/Tokyo",
    )
    html = card_body(card)
    page = BeautifulSoup("".join(html), "html.parser")
    assert page.find("a")["href"] == "/somewhere/susan"
    assert page.find("a", class_="post-time")["href"] == "/somewhere/post/7"
    assert page.find("img")["src"] == "/pictures/susan.svg"
    assert page.find(class_="post-meta").get_text() == "susan schrieb am 16.01.2026 · bearbeitet"
    assert page.find("time")["title"].startswith("Freitag, 16. Januar 2026")
    assert page.find("time", class_="post-edited")["title"].startswith(
        "Freitag, 16. Januar 2026, 09:30:00"
    )
    assert page.find(class_="post-body").get_text() == "Hola <amigos>"
    assert card_body(card._replace(timezone="UTC")) != html


def edit_for_the_author(post, viewer):
    """A stand-in for the Edit control a later feature offers under one's own posts."""
    if viewer.user_id != post.author.id:
        return None
    return a_element(".edit", href=f"/post/{post.id}/edit")[f"Edit ({viewer.locale})"]


def test_the_author_and_a_reader_of_another_language_get_their_own_cards_from_a_warm_cache(
    app, make_user, make_posts
):
    make_user("susan")
    make_user("john")
    make_posts("susan", 2)
    post_cards.add_action(edit_for_the_author, app=app)
    susan, john = Browser(app.test_client()), Browser(app.test_client())
    susan.login("susan")
    john.login("john")
    spanish = {"Accept-Language": "es"}
    for _ in range(2):  # the second round finds every card in the cache
        misses = cache_info(app).misses
        susans_cards = post_list(susan).select(".post")
        johns_cards = post_list(john, **spanish).select(".post")
    assert cache_info(app).misses == misses, "the second round rendered no body"
    assert [card.select_one(".post-actions a.edit").get_text() for card in susans_cards] == [
        "Edit (en)"
    ] * 2
    assert all(card.select_one(".post-actions") is None for card in johns_cards)
    assert all(
        card.select_one(".post-meta").get_text().startswith("susan said ") for card in susans_cards
    )
    assert all(
        card.select_one(".post-meta").get_text().startswith("susan escribió ")
        for card in johns_cards
    )
    # Both readers were served the same post.
    assert [card["id"] for card in susans_cards] == [card["id"] for card in johns_cards]
