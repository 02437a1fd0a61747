"""CSRF, security headers, caching headers and avatars."""

import pytest

from tests.helpers import soup


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/index", {"post": "hello"}),
        ("/follow/john", {}),
        ("/unfollow/john", {}),
        ("/edit_profile", {"username": "x", "about_me": ""}),
        ("/auth/logout", {}),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_posts_without_a_csrf_token_are_a_400(susan, query, url, data, htmx):
    from microblog.models import Post, User, follow_stats

    response = susan.post(url, data, csrf=False, htmx=htmx)
    assert response.status_code == 400
    assert "session expired" in soup(response).get_text()
    assert query(lambda: Post.query.count()) == 0
    assert query(lambda: follow_stats(User.by_username("susan")).following) == 0
    assert susan.get("/").status_code == 200  # still logged in


def test_a_forged_csrf_token_is_a_400(susan):
    response = susan.client.post("/index", data={"post": "x", "csrf_token": "forged"})
    assert response.status_code == 400


def test_login_and_register_need_the_csrf_token_too(browser):
    assert (
        browser.post("/auth/login", {"username": "a", "password": "b"}, csrf=False).status_code
        == 400
    )


@pytest.mark.parametrize("url", ["/explore", "/auth/login", "/user/nobody", "/avatar/1"])
def test_security_headers_are_on_every_response(browser, url):
    headers = browser.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_lax(browser, make_user):
    make_user("susan")
    cookies = browser.login("susan").headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session


def test_pages_vary_on_hx_request_and_logged_in_pages_are_not_stored(susan):
    response = susan.get("/explore")
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_the_csrf_token_for_htmx_and_the_htmx_config(browser):
    page = soup(browser.get("/explore"))
    assert "X-CSRFToken" in page.body["hx-headers"]
    config = page.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"allowEval":false' in config and '"selfRequestsOnly":true' in config
    scripts = [s["src"] for s in page.find_all("script")]
    assert all(s.startswith("/static/") for s in scripts)
    assert all(not s.string for s in page.find_all("script"))  # no inline scripts
    assert page.find(style=True) is None


def test_layout_has_landmarks_skip_link_and_live_regions(browser):
    page = soup(browser.get("/explore"))
    assert page.html["lang"] == "en"
    skip = page.body.find("a")
    assert skip["href"] == "#main" and page.find("main", id="main")
    assert page.find("header") and page.find("nav") and page.find("footer")
    assert page.find(id="announcer")["aria-live"] == "polite"
    assert page.find(id="flashes") is not None and page.find(id="alerts") is not None
    assert len(page.find_all("h1")) == 1


def test_static_files_are_versioned_and_cacheable(browser):
    page = soup(browser.get("/explore"))
    css = page.find("link", rel="stylesheet")["href"]
    assert "?v=" in css
    response = browser.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


def test_local_avatars_are_cacheable_svg(browser, make_user):
    user_id = make_user("susan")
    response = browser.get(f"/avatar/{user_id}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "max-age" in response.headers["Cache-Control"]
    again = browser.get(f"/avatar/{user_id}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("user_id", [0, 2**31, 2**63, 10**20])
def test_avatar_of_an_impossible_user_id_is_404(browser, make_user, user_id):
    make_user("susan")
    assert browser.get(f"/avatar/{user_id}").status_code == 404


def test_gravatar_provider_uses_gravatar_urls_and_allows_them_in_the_csp(browser, app, make_user):
    app.config["AVATAR_PROVIDER"] = "gravatar"
    make_user("susan")
    response = browser.get("/user/susan")
    img = soup(response).select_one(".profile img")
    assert img["src"].startswith("https://www.gravatar.com/avatar/")
    assert "d=identicon" in img["src"]
    assert "https://www.gravatar.com" in response.headers["Content-Security-Policy"]
