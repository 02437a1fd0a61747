"""The site's frame: landmarks, the navigation columns, the theme picker, the welcome page."""

from __future__ import annotations

import pytest
from flask import Flask

from microblog.models import User
from tests.helpers import soup


def nav_labels(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.select("nav[aria-label=Main] a")]


def test_every_page_has_the_landmarks_in_order(browser, make_user):
    make_user("susan")
    browser.login("susan")
    page = soup(browser.get("/explore"))
    body = page.body
    banner = body.find("header", recursive=False)
    assert banner.find("a", class_="brand")["href"] == "/"
    shell = body.find("div", class_="shell", recursive=False)
    nav = shell.find("nav", recursive=False)
    assert nav["aria-label"] == "Main"
    assert shell.find("main")["id"] == "main"
    assert shell.find("aside", recursive=False)["aria-label"] == "More"
    assert body.find("footer", recursive=False) is not None
    assert len(page.find_all("h1")) == 1
    assert body.find("a", class_="skip-link")["href"] == "#main"


def test_the_navigation_has_icons_and_text_and_marks_the_current_page(browser, make_user):
    make_user("susan")
    browser.login("susan")
    page = soup(browser.get("/explore"))
    assert nav_labels(page) == ["Home", "Explore", "Messages", "Activity", "Profile"]
    for link in page.select("nav[aria-label=Main] a"):
        use = link.find("svg", attrs={"aria-hidden": "true"}).find("use")
        assert use["href"].startswith("/static/img/icons.svg?v=")
    current = page.select("nav[aria-label=Main] a[aria-current=page]")
    assert [a.get_text(strip=True) for a in current] == ["Explore"]


def test_visitors_see_the_ways_in_instead_of_a_profile(browser):
    page = soup(browser.get("/explore"))
    assert nav_labels(page) == ["Home", "Explore"]
    header = page.body.header
    assert header.find("a", string="Log in")["href"] == "/auth/login"
    assert header.find("a", string="Create account")["href"] == "/auth/register"
    assert page.find("details", class_="account-menu") is None


def test_the_header_has_the_post_action_and_an_account_menu(browser, make_user):
    make_user("susan")
    browser.login("susan")
    header = soup(browser.get("/explore")).body.header
    post = header.find("a", class_="post-action")
    assert post.get_text(strip=True) == "Post" and post["href"] == "/#post"
    menu = header.find("details", class_="account-menu")
    assert menu.summary.img["src"] == f"/avatar/{user_id(browser, 'susan')}"
    assert menu.summary.img["alt"] == ""
    assert "Your account" in menu.summary.get_text()
    logout = menu.find("form", action="/auth/logout")
    assert logout["method"] == "post" and logout.find("input", attrs={"name": "csrf_token"})
    assert logout.button.get_text(strip=True) == "Log out"


def user_id(browser, username: str) -> int:
    with browser.client.application.app_context():
        return User.by_username(username).id


def add_page(app: Flask, path: str) -> None:
    """Give the app a page at `path`, as a teammate's feature would."""
    app.add_url_rule(path, path.strip("/"), lambda: "a page")


def test_links_to_features_appear_once_the_site_has_their_pages(app, browser, make_user):
    for path in ("/search", "/messages", "/activity"):
        add_page(app, path)
    make_user("susan")
    browser.login("susan")
    page = soup(browser.get("/explore"))
    assert nav_labels(page) == ["Home", "Explore", "Messages", "Activity", "Profile"]
    # Search is a box in the header rather than a link.
    search = page.select_one("header search form")
    assert search["action"] == "/search" and search["method"] == "get"
    assert search.find("input", attrs={"name": "q"})["id"] == "header-search-q"
    assert search.find("label", attrs={"for": "header-search-q"}) is not None
    browser.logout()
    # Messages and activity are a member's; search is everyone's.
    visitor = soup(browser.get("/explore"))
    assert nav_labels(visitor) == ["Home", "Explore"]
    assert visitor.select_one("header search form")["action"] == "/search"


def test_the_side_column_suggests_people_not_yet_followed(browser, make_user, follow):
    for name in ("susan", "john", "mary", "kim", "lee"):
        make_user(name, about_me=f"I am {name}.")
    follow("susan", "lee")
    browser.login("susan")
    aside = soup(browser.get("/explore")).find("aside")
    assert aside.find("h2", id="profile-card-heading").get_text() == "susan"
    names = [a.get_text() for a in aside.select(".people-list .person-name")]
    assert names == ["kim", "mary", "john"]
    assert aside.find("a", string="kim")["href"] == "/user/kim"


def test_a_visitor_is_invited_to_join_beside_the_content(browser, make_user):
    make_user("susan")
    aside = soup(browser.get("/explore")).find("aside")
    assert aside.find("h2", id="join-heading") is not None
    assert [a.get_text() for a in aside.select(".person-name")] == ["susan"]


# ---- Theme ----


def theme_of(page) -> str | None:
    return page.html.get("data-theme")


def footer_theme_form(page):
    return page.select_one("footer form.theme-picker")


def pick_theme(browser, page, theme: str):
    """Submit the footer's theme picker as a browser without JavaScript would."""
    form = footer_theme_form(page)
    data = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    data["theme"] = theme
    return browser.client.post(form["action"], data=data)


def test_without_a_choice_the_system_decides(browser):
    page = soup(browser.get("/explore"))
    assert theme_of(page) is None
    assert page.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    form = footer_theme_form(page)
    assert form.find("label", attrs={"for": "footer-theme"}).get_text(strip=True) == "Theme"
    options = [(o["value"], o.has_attr("selected")) for o in form.find_all("option")]
    assert options == [("", True), ("light", False), ("dark", False)]
    # Without JavaScript the picker has its button; app.js hides it and submits on change.
    assert form.button.get_text() == "Change theme"
    assert form.find("select").has_attr("data-autosubmit")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_visitor_chooses_a_theme_and_keeps_it_in_a_cookie(browser, theme):
    page = soup(browser.get("/explore?page=1"))
    response = pick_theme(browser, page, theme)
    assert response.status_code == 303
    assert response.headers["Location"] == "/explore?page=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"theme={theme};") and "HttpOnly" in cookie and "Max-Age=" in cookie
    page = soup(browser.get("/explore"))
    assert theme_of(page) == theme
    assert page.find("meta", attrs={"name": "color-scheme"})["content"] == theme
    assert footer_theme_form(page).find("option", selected=True)["value"] == theme


def test_choosing_automatic_forgets_the_visitors_cookie(browser):
    pick_theme(browser, soup(browser.get("/explore")), "dark")
    response = pick_theme(browser, soup(browser.get("/explore")), "")
    assert response.headers["Set-Cookie"].startswith("theme=;")
    assert theme_of(soup(browser.get("/explore"))) is None


def test_an_unknown_theme_is_refused_and_changes_nothing(browser):
    page = soup(browser.get("/explore"))
    response = pick_theme(browser, page, "neon")
    assert response.status_code == 400
    assert "Choose a theme from the list." in soup(response).get_text()
    assert "Set-Cookie" not in response.headers or "theme=" not in response.headers["Set-Cookie"]


def test_a_users_theme_is_saved_on_their_profile(browser, make_user, query):
    make_user("susan")
    browser.login("susan")
    pick_theme(browser, soup(browser.get("/explore")), "dark")
    assert query(lambda: User.by_username("susan").theme) == "dark"
    form = soup(browser.get("/edit_profile")).select_one("main form")
    assert form.find("select", attrs={"name": "theme"}).find("option", selected=True)["value"] == (
        "dark"
    )
    # In another browser (no cookie) the saved choice still applies.
    other = browser.client.application.test_client()
    from tests.helpers import Browser

    elsewhere = Browser(other)
    elsewhere.login("susan")
    assert theme_of(soup(elsewhere.get("/explore"))) == "dark"


def test_a_user_on_automatic_is_not_overruled_by_a_visitors_cookie(browser, make_user, query):
    make_user("susan")
    pick_theme(browser, soup(browser.get("/explore")), "dark")
    browser.login("susan")
    assert theme_of(soup(browser.get("/explore"))) is None


def test_the_theme_is_chosen_on_the_edit_profile_form(browser, make_user, query):
    make_user("susan")
    browser.login("susan")
    response = browser.post(
        "/edit_profile", {"username": "susan", "about_me": "", "theme": "light"}
    )
    assert response.status_code == 303
    assert query(lambda: User.by_username("susan").theme) == "light"
    assert theme_of(soup(browser.get("/explore"))) == "light"
    response = browser.post("/edit_profile", {"username": "susan", "theme": "sepia"})
    assert response.status_code == 422
    assert query(lambda: User.by_username("susan").theme) == "light"


# ---- Avatars ----


def test_avatars_of_users_who_do_not_exist_are_not_found(browser, make_user):
    user_id = make_user("susan")
    assert browser.get(f"/avatar/{user_id}").status_code == 200
    assert browser.get(f"/avatar/{user_id + 1}").status_code == 404


# ---- The front door ----


def test_a_visitor_at_home_meets_the_welcome_page_without_a_scolding(
    browser, make_user, make_posts
):
    make_user("susan")
    make_posts("susan", 7, body="Susan's post {n}")
    response = browser.get("/")
    assert response.status_code == 303
    page = soup(browser.get(response.headers["Location"]))
    assert page.h1.get_text() == "Welcome to Microblog"
    assert page.select("#flashes li") == []
    assert "Please log in" not in page.get_text()
    login = page.find("section", attrs={"aria-labelledby": "login-heading"})
    assert login.find("input", attrs={"name": "username"}) is not None
    assert page.select_one("main a.button[href='/auth/register']").get_text() == "Create account"
    latest = [p.get_text() for p in page.select("main .post-list .post-body")]
    assert latest == [f"Susan's post {n}" for n in range(7, 2, -1)]
    assert page.select_one("main a[href='/explore']").get_text() == "See everything on Explore"


def test_a_protected_page_sends_visitors_to_the_welcome_page_and_back(browser, make_user):
    make_user("susan")
    response = browser.get("/edit_profile")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=/edit_profile"
    page = soup(browser.get(response.headers["Location"]))
    assert page.select("#flashes li") == []
    form = page.find("input", attrs={"name": "password"}).find_parent("form")
    data = {"username": "susan", "password": "correct horse battery"}
    response = browser.post(form["action"], data)
    assert response.headers["Location"] == "/edit_profile"


def test_logging_out_lands_on_the_welcome_page_with_one_message(browser, make_user):
    make_user("susan")
    browser.login("susan")
    response = browser.client.post(
        "/auth/logout", data={"csrf_token": browser.csrf_token()}, follow_redirects=True
    )
    page = soup(response)
    assert page.h1.get_text() == "Welcome to Microblog"
    assert [li.get_text() for li in page.select("#flashes li")] == ["You have been logged out."]


# ---- Rough edges a new user hit ----


def test_after_login_a_post_only_next_is_not_followed(browser, make_user):
    make_user("susan")
    make_user("john")
    response = browser.post(
        "/auth/login?next=/follow/john",
        {"username": "susan", "password": "correct horse battery"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_after_login_a_page_given_as_next_is_followed(browser, make_user):
    make_user("susan")
    response = browser.post(
        "/auth/login?next=/user/susan?page=1",
        {"username": "susan", "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/user/susan?page=1"


@pytest.mark.parametrize("url", ["/auth/reset_password/some-token", "/auth/reset_password_request"])
def test_a_reset_page_opened_while_logged_in_says_why_it_went_home(browser, make_user, url):
    make_user("susan")
    browser.login("susan")
    response = browser.get(url)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    flashes = [li.get_text() for li in soup(browser.get("/")).select("#flashes li")]
    assert flashes == [
        "You are logged in, so there is no password to reset here. To reset the password of "
        "another account, log out first."
    ]


def test_a_visitor_on_a_profile_learns_that_logging_in_lets_them_follow(browser, make_user):
    make_user("susan")
    hint = soup(browser.get("/user/susan")).select_one(".profile .visitor-hint")
    assert hint.get_text() == "Log in to follow susan."
    assert hint.a["href"] == "/auth/login?next=/user/susan"


def test_a_form_with_errors_starts_with_a_summary_linked_to_the_fields(browser):
    response = browser.post(
        "/auth/register",
        {"username": "", "email": "not an address", "password": "x", "password2": "y"},
    )
    assert response.status_code == 422
    summary = soup(response).select_one("main form .form-error")
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary.has_attr("autofocus")
    links = {a["href"]: a.get_text() for a in summary.find_all("a")}
    assert set(links) == {"#username", "#email", "#password", "#password2"}
    assert links["#username"].startswith("Username: ")
    assert "There are problems with 4 fields:" in summary.get_text()


def test_registration_keeps_the_passwords_only_when_they_were_not_the_problem(browser, make_user):
    make_user("susan")
    typed = {"username": "susan", "email": "new@example.com"}
    good = {"password": "a long enough password", "password2": "a long enough password"}
    response = browser.post("/auth/register", {**typed, **good})
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.find("input", id="email")["value"] == "new@example.com"
    assert page.find("input", id="password")["value"] == "a long enough password"
    assert page.find("input", id="password2")["value"] == "a long enough password"
    bad = {"password": "a long enough password", "password2": "another one"}
    page = soup(
        browser.post("/auth/register", {"username": "kim", "email": "k@example.com", **bad})
    )
    assert not page.find("input", id="password").get("value")
    assert not page.find("input", id="password2").get("value")
    assert page.find("input", id="username")["value"] == "kim"


def test_posting_from_a_later_page_goes_to_page_one(browser, make_user, make_posts, app):
    app.config["POSTS_PER_PAGE"] = 2
    make_user("susan")
    make_posts("susan", 3)
    browser.login("susan")
    response = browser.post(
        "/",
        {"post": "From page two"},
        htmx=True,
        headers={"HX-Current-URL": "http://localhost/?page=2&before=2"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/"
    page = soup(browser.get("/"))
    assert page.select_one("#post-list .post-body").get_text() == "From page two"
    assert [li.get_text() for li in page.select("#flashes li")] == ["Your post is now live!"]


def test_posting_from_page_one_adds_the_post_in_place(browser, make_user):
    make_user("susan")
    browser.login("susan")
    response = browser.post("/", {"post": "In place"}, htmx=True)
    assert "HX-Redirect" not in response.headers
    assert soup(response).find(attrs={"hx-swap-oob": "afterbegin:#post-list"}) is not None


def test_a_failed_post_replaces_the_announcement_of_the_last_one(browser, make_user):
    make_user("susan")
    browser.login("susan")
    response = browser.post("/", {"post": "   "}, htmx=True)
    assert response.status_code == 422
    announcer = soup(response).find(id="announcer")
    assert announcer.get_text() == ("Your post was not published: Write something before posting.")


def test_the_composer_does_not_cut_pasted_text_and_counts_it(browser, make_user):
    make_user("susan")
    browser.login("susan")
    form = soup(browser.get("/")).find("form", id="post-form")
    textarea = form.find("textarea")
    assert not textarea.has_attr("maxlength")
    counter = form.find(id=textarea["data-counter"])
    assert counter["data-max"] == "280" and counter.has_attr("hidden")
    assert counter["data-left"] == "Characters left: {n}"
    response = browser.post("/", {"post": "x" * 281}, htmx=True)
    assert response.status_code == 422
    assert soup(response).find(class_="field-error").get_text() == (
        "A post has at most 280 characters."
    )


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/explore?page=2", "Explore, page 2 · Microblog"),
        ("/user/susan?page=2", "susan, page 2 · Microblog"),
        ("/?page=2", "Home, page 2 · Microblog"),
    ],
)
def test_a_page_turn_tells_htmx_the_new_title(browser, make_user, make_posts, app, url, title):
    app.config["POSTS_PER_PAGE"] = 2
    make_user("susan")
    make_posts("susan", 3)
    browser.login("susan")
    fragment = soup(browser.get(url, htmx=True))
    assert fragment.find("title", recursive=False).get_text() == title
    assert soup(browser.get(url)).title.get_text() == title


def test_other_htmx_answers_leave_the_title_alone(browser, make_user):
    make_user("susan")
    make_user("john")
    browser.login("susan")
    assert soup(browser.post("/follow/john", htmx=True)).find("title") is None


def test_an_icon_button_is_named_by_its_text(app):
    from bs4 import BeautifulSoup
    from htpy import button

    from templates.icons import icon_label

    with app.test_request_context():
        hidden = BeautifulSoup(
            str(button(".icon-button")[icon_label("delete", "Delete")]), "html.parser"
        )
        shown = BeautifulSoup(
            str(button(".icon-button")[icon_label("edit", "Edit", show_text=True)]), "html.parser"
        )
    assert hidden.button.get_text() == "Delete"
    assert hidden.button.svg["aria-hidden"] == "true"
    assert hidden.button.span["class"] == ["visually-hidden"]
    assert hidden.button.svg.use["href"].endswith("#delete")
    assert shown.button.span["class"] == ["action-label"]


def test_a_user_chooses_gravatar_or_the_identicon_on_the_profile(
    browser, app, make_user, make_posts, query
):
    susan_id = make_user("susan")
    make_user("john")
    make_posts("susan", 1)
    make_posts("john", 1)
    browser.login("susan")
    form = soup(browser.get("/edit_profile")).select_one("main form")
    options = [o["value"] for o in form.find("select", attrs={"name": "avatar"}).find_all("option")]
    assert options == ["", "local", "gravatar"]
    response = browser.post("/edit_profile", {"username": "susan", "avatar": "gravatar"})
    assert response.status_code == 303
    assert query(lambda: User.by_username("susan").avatar) == "gravatar"

    def avatars(page) -> dict[str, str]:
        return {
            card.select_one(".post-meta a").get_text(): card.img["src"]
            for card in page.select("#post-list .post")
        }

    explore = avatars(soup(browser.get("/explore")))
    assert explore["susan"].startswith("https://www.gravatar.com/avatar/")
    assert explore["john"] == f"/avatar/{susan_id + 1}"
    profile = soup(browser.get("/user/susan")).select_one(".profile img.avatar")
    assert profile["src"].startswith("https://www.gravatar.com/avatar/")
    # The site's default is Gravatar: a user may keep the identicon.
    app.config["AVATAR_PROVIDER"] = "gravatar"
    browser.post("/edit_profile", {"username": "susan", "avatar": "local"})
    explore = avatars(soup(browser.get("/explore")))
    assert explore["susan"] == f"/avatar/{susan_id}"
    assert explore["john"].startswith("https://www.gravatar.com/avatar/")
    assert (
        browser.post("/edit_profile", {"username": "susan", "avatar": "flickr"}).status_code == 422
    )
