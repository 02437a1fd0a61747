"""Readers get their language and timezone: Accept-Language, the footer picker, the profile's
preferences, and dates in the reader's timezone."""

from datetime import UTC, datetime

import pytest

from microblog.extensions import db
from microblog.i18n.forms import strxfrm_key
from microblog.models import Post, User
from tests.helpers import PASSWORD, Browser, html_pages, soup

SKIP_LINK = {
    "en": "Skip to main content",
    "es": "Saltar al contenido principal",
    "de": "Zum Hauptinhalt springen",
}
LATE_EVENING = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


def set_preferences(query, username: str, **preferences: str | None) -> None:
    def change() -> None:
        user = User.by_username(username)
        for name, value in preferences.items():
            setattr(user, name, value)
        db.session.commit()

    query(change)


def footer_picker(page):
    return page.select_one("footer form.language-picker")


def pick(browser: Browser, page, language: str) -> object:
    """Submit the footer picker as a browser without JavaScript would."""
    form = footer_picker(page)
    data = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    data["language"] = language
    return browser.client.post(form["action"], data=data)


@pytest.fixture
def site(make_user, make_posts, follow):
    make_user("susan", about_me="Gardens")
    make_user("john")
    follow("john", "susan")
    make_posts("susan", 2)


@pytest.mark.parametrize("language", ["es", "de"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "user"])
def test_accept_language_gives_that_language_on_every_page(app, browser, site, language, logged_in):
    if logged_in:
        browser.login("john")
    headers = {"Accept-Language": f"{language};q=0.9,en;q=0.5"}
    for url in html_pages(app):
        response = browser.client.get(url, headers=headers, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        page = soup(response)
        assert page.html["lang"] == language, url
        assert page.find("a", href="#main").get_text() == SKIP_LINK[language], url
        assert footer_picker(page).find("option", selected=True)["value"] == language, url
        assert {"Accept-Language", "Cookie"} <= set(response.vary), url


def test_static_files_and_avatars_do_not_vary_with_language(browser, make_user):
    user_id = make_user("susan")
    for url in (f"/avatar/{user_id}", "/static/js/app.js"):
        response = browser.get(url, headers={"Accept-Language": "de"})
        assert response.status_code == 200
        assert "Accept-Language" not in response.vary
        response.close()


def test_plural_forms_in_german(browser, make_user, make_posts, follow):
    susan_id = make_user("susan")
    make_user("john")
    make_user("ana")
    follow("john", "susan")
    make_posts("susan", 1)
    headers = {"Accept-Language": "de"}
    counts = soup(browser.get("/user/susan", headers=headers)).find(id=f"follow-counts-{susan_id}")
    assert counts.get_text() == "1 Follower · folgt 0 Personen · 1 Beitrag"
    follow("ana", "susan")
    follow("susan", "ana")
    follow("susan", "john")
    make_posts("susan", 1)
    counts = soup(browser.get("/user/susan", headers=headers)).find(id=f"follow-counts-{susan_id}")
    assert counts.get_text() == "2 Follower · folgt 2 Personen · 2 Beiträge"


def test_picker_names_each_language_in_itself(browser):
    page = soup(browser.get("/explore", headers={"Accept-Language": "de"}))
    form = footer_picker(page)
    assert form["method"] == "post"
    assert form.find("label", attrs={"for": "footer-language"}).get_text() == "Sprache"
    options = {o["value"]: (o.get_text(), o["lang"]) for o in form.find_all("option")}
    assert options == {
        "en": ("English", "en"),
        "es": ("Español", "es"),
        "de": ("Deutsch", "de"),
    }
    assert form.find("input", attrs={"name": "next"})["value"] == "/explore"
    assert form.button.get_text() == "Sprache ändern"


def test_picker_without_javascript_as_a_visitor_sets_a_cookie(browser, site):
    page = soup(browser.get("/user/susan?page=1"))
    response = pick(browser, page, "de")
    assert response.status_code == 303
    assert response.headers["Location"] == "/user/susan?page=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=de;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    # The choice beats the browser's language from now on.
    page = soup(browser.get("/explore", headers={"Accept-Language": "es"}))
    assert page.html["lang"] == "de"
    assert page.h1.get_text() == "Entdecken"


def test_picker_without_javascript_as_a_user_saves_the_choice_on_the_profile(
    app, browser, site, query
):
    browser.login("susan")
    page = soup(browser.get("/edit_profile"))
    response = pick(browser, page, "es")
    assert response.status_code == 303
    assert response.headers["Location"] == "/edit_profile"
    assert query(lambda: User.by_username("susan").language) == "es"
    # Another browser, asking for German: once logged in, susan reads Spanish.
    elsewhere = Browser(app.test_client())
    elsewhere.login("susan")
    page = soup(elsewhere.get("/", headers={"Accept-Language": "de"}))
    assert page.html["lang"] == "es"
    assert page.select_one("#posts-heading").get_text() == "Tu cronología"


def test_saved_language_beats_the_header_and_the_cookie(browser, site, query):
    set_preferences(query, "susan", language="de")
    browser.client.set_cookie("lang", "es")
    browser.login("susan")
    page = soup(browser.get("/explore", headers={"Accept-Language": "es"}))
    assert page.html["lang"] == "de"


def test_picker_refuses_an_unknown_language_next_to_the_field(browser, site, query):
    browser.login("susan")
    response = browser.post("/language", {"language": "xx", "next": "/explore"})
    assert response.status_code == 422
    page = soup(response)
    select = page.find("select", id="language")
    assert select["aria-invalid"] == "true"
    error = page.find(id=select["aria-describedby"])
    assert error.get_text() == "Choose a language from the list."
    assert query(lambda: User.by_username("susan").language) is None
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_picker_only_goes_back_to_pages_of_this_site(browser, target):
    response = browser.post("/language", {"language": "es", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_language_page_works_as_a_page_of_its_own(browser):
    page = soup(browser.get("/language?next=/explore", headers={"Accept-Language": "es"}))
    form = page.find("main").form
    assert form.find("option", selected=True)["value"] == "es"
    assert form.find("input", attrs={"name": "next"})["value"] == "/explore"


def test_edit_profile_saves_language_and_timezone_and_answers_in_the_new_language(
    browser, site, query
):
    browser.login("susan")
    page = soup(browser.get("/edit_profile"))
    language = page.find("select", id="language")
    assert language.find("option", selected=True)["value"] == ""
    assert page.find("label", attrs={"for": "timezone"}).get_text() == "Time zone"
    timezone = page.find("select", id="timezone")
    assert timezone.find("optgroup", label="Europe").find("option", value="Europe/Madrid")
    data = {"username": "susan", "about_me": "Gardens", "language": "de"}
    response = browser.post("/edit_profile", {**data, "timezone": "Europe/Madrid"})
    assert response.status_code == 303
    assert query(lambda: User.by_username("susan").language) == "de"
    assert query(lambda: User.by_username("susan").timezone) == "Europe/Madrid"
    page = soup(browser.get(response.headers["Location"]))
    assert page.html["lang"] == "de"
    assert page.select_one(".flash").get_text() == "Deine Änderungen wurden gespeichert."
    form = soup(browser.get("/edit_profile")).find("form", action="/edit_profile")
    assert form.find("select", id="timezone").find("option", selected=True)["value"] == (
        "Europe/Madrid"
    )
    assert "Europe/Madrid" in form.find(id="timezone-hint").get_text()


@pytest.mark.parametrize(
    ("language", "region", "city"),
    [("en", "America", "New York"), ("es", "América", "Nueva York"), ("de", "Amerika", "New York")],
)
def test_time_zones_are_named_in_the_readers_language(browser, site, language, region, city):
    browser.login("susan")
    page = soup(browser.get("/edit_profile", headers={"Accept-Language": language}))
    group = page.find("select", id="timezone").find("optgroup", label=region)
    cities = [option.get_text() for option in group.find_all("option")]

    assert group.find("option", value="America/New_York").get_text() == city
    assert cities == sorted(cities, key=strxfrm_key) and len(cities) > 100


def test_edit_profile_empty_preferences_mean_automatic(browser, site, query):
    set_preferences(query, "susan", language="de", timezone="Asia/Tokyo")
    browser.login("susan")
    data = {"username": "susan", "about_me": "", "language": "", "timezone": ""}
    assert browser.post("/edit_profile", data).status_code == 303
    assert query(lambda: User.by_username("susan").language) is None
    assert query(lambda: User.by_username("susan").timezone) is None


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "localtime", "europe/madrid", "x" * 80])
def test_edit_profile_refuses_what_is_not_a_timezone(browser, site, query, timezone):
    browser.login("susan")
    data = {"username": "susan", "about_me": "", "language": "", "timezone": timezone}
    response = browser.post("/edit_profile", data)
    assert response.status_code == 422
    select = soup(response).find("select", id="timezone")
    assert select["aria-invalid"] == "true"
    error = soup(response).find(id="timezone-error")
    assert error.get_text() == "Choose a time zone from the list."
    assert query(lambda: User.by_username("susan").timezone) is None


def test_an_alias_timezone_is_accepted_and_stays_selected(browser, site, query):
    browser.login("susan")
    data = {"username": "susan", "about_me": "", "language": "", "timezone": "US/Pacific"}
    assert browser.post("/edit_profile", data).status_code == 303
    select = soup(browser.get("/edit_profile")).find("select", id="timezone")
    assert select.find("option", selected=True)["value"] == "US/Pacific"


@pytest.fixture
def late_post(make_user, query):
    make_user("susan")
    make_user("john")

    def add() -> None:
        post = Post(body="Good night", author=User.by_username("susan"), timestamp=LATE_EVENING)
        db.session.add(post)
        db.session.commit()

    query(add)


def post_time(browser: Browser, **headers: str):
    return soup(browser.get("/explore", headers=headers)).select_one(".post-meta time")


def test_dates_are_in_utc_by_default(browser, late_post):
    time = post_time(browser)
    assert time["datetime"] == "2026-01-15T23:30:00+00:00"
    assert time.get_text() == "Jan 15, 2026"
    assert time["title"].startswith("Thursday, January 15, 2026, 11:30:00")
    assert time["title"].endswith("Coordinated Universal Time")
    assert time.find_parent(class_="post-meta").get_text() == "susan said on Jan 15, 2026"


def test_dates_follow_the_saved_timezone(browser, late_post, query):
    set_preferences(query, "john", timezone="Europe/Madrid")
    browser.client.set_cookie("tz", "America/New_York")
    browser.login("john")
    time = post_time(browser)
    assert time["datetime"] == "2026-01-15T23:30:00+00:00"
    assert time.get_text() == "Jan 16, 2026"
    assert time["title"].startswith("Friday, January 16, 2026, 12:30:00")
    assert time["title"].endswith("Central European Standard Time")


def test_dates_follow_the_timezone_cookie_of_the_browser(browser, late_post):
    browser.client.set_cookie("tz", "Europe/Madrid")
    time = post_time(browser)
    assert time.get_text() == "Jan 16, 2026"
    assert time["title"].startswith("Friday, January 16, 2026")


@pytest.mark.parametrize("cookie", ["Nowhere/Land", "localtime", "", "../../etc/passwd"])
def test_a_bad_timezone_cookie_is_ignored(browser, late_post, cookie):
    browser.client.set_cookie("tz", cookie)
    time = post_time(browser)
    assert time.get_text() == "Jan 15, 2026"


def test_dates_are_in_the_readers_language(browser, late_post, make_posts):
    time = post_time(browser, **{"Accept-Language": "de"})
    assert time.get_text() == "15.01.2026"
    assert time.find_parent(class_="post-meta").get_text() == "susan schrieb am 15.01.2026"
    make_posts("john", 1)
    meta = soup(browser.get("/explore", headers={"Accept-Language": "es"})).select_one(".post-meta")
    assert meta.get_text().startswith("john escribió hace ")
    meta = soup(browser.get("/explore", headers={"Accept-Language": "de"})).select_one(".post-meta")
    assert meta.get_text().startswith("john schrieb vor ")


def test_automatic_on_the_profile_follows_the_browser_whatever_the_footer_said(app, browser, site):
    """A visitor's footer choice (the cookie) must not stick to a user set to automatic."""
    page = soup(browser.get("/explore"))
    pick(browser, page, "es")
    assert soup(browser.get("/explore")).html["lang"] == "es"
    browser.login("john")
    german = {"Accept-Language": "de;q=0.9,en;q=0.5"}
    assert soup(browser.get("/explore", headers=german)).html["lang"] == "de"


def test_registering_keeps_the_language_picked_in_the_footer(browser, query):
    """A visitor who chose German before creating an account does not land in English."""
    pick(browser, soup(browser.get("/auth/register")), "de")
    response = browser.post(
        "/auth/register",
        {
            "username": "greta",
            "email": "greta@example.com",
            "password": "ein gutes langes Passwort",
            "password2": "ein gutes langes Passwort",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 303
    assert query(lambda: User.by_username("greta").language) == "de"
    page = soup(browser.get("/", headers={"Accept-Language": "en"}))
    assert page.html["lang"] == "de"
    assert page.find(id="flashes").get_text(strip=True) == (
        "Willkommen, greta! Dein Konto ist eingerichtet."
    )


def test_registering_without_a_footer_choice_stays_automatic(browser, query):
    browser.post(
        "/auth/register",
        {
            "username": "greta",
            "email": "greta@example.com",
            "password": "ein gutes langes Passwort",
            "password2": "ein gutes langes Passwort",
        },
    )
    assert query(lambda: User.by_username("greta").language) is None


def test_logging_out_says_so_in_the_language_of_the_next_page(browser, site):
    """john reads English (automatic, his browser); logged out, the footer's Spanish."""
    pick(browser, soup(browser.get("/explore")), "es")
    browser.login("john")
    english = {"Accept-Language": "en"}
    assert soup(browser.get("/explore", headers=english)).html["lang"] == "en"
    browser.post("/auth/logout", headers=english)
    page = soup(browser.get("/explore", headers=english))
    assert page.html["lang"] == "es"
    assert page.find(id="flashes").get_text(strip=True) == "Has cerrado la sesión."


def test_deleting_the_account_says_goodbye_in_the_language_of_the_next_page(browser, site):
    pick(browser, soup(browser.get("/explore")), "de")
    browser.login("john")
    english = {"Accept-Language": "en"}
    browser.post("/auth/delete_account", {"password": PASSWORD}, headers=english)
    page = soup(browser.get("/auth/login", headers=english))
    assert page.html["lang"] == "de"
    assert page.find(id="flashes").get_text(strip=True) == (
        "Dein Konto und alles darin wurde gelöscht."
    )
