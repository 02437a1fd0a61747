"""A post's own page, and changing or deleting one's own posts: with htmx (in the card) and
without (pages and post/redirect/get); nobody else can, and nobody else sees the controls."""

from __future__ import annotations

import pytest

from microblog.extensions import db, post_cards
from microblog.models import Post, PostTranslation
from tests.helpers import Browser, field_error, soup

ENGLISH = "The tomatoes in my garden are finally ripe and red"
SPANISH = "Los tomates de mi jardín por fin están maduros y rojos"


@pytest.fixture
def post_id(susan, make_posts) -> int:
    """A post of susan's (who is logged in; john exists too)."""
    return make_posts("susan", body=ENGLISH)[0]


@pytest.fixture
def john(app) -> Browser:
    other = Browser(app.test_client())
    other.login("john")
    return other


def stored(query, post_id: int) -> Post | None:
    def load() -> Post | None:
        post = db.session.get(Post, post_id)
        if post is not None:
            db.session.expunge(post)
        return post

    return query(load)


def card(page, post_id: int):
    return page.select_one(f"li#post-{post_id}")


# The post's page ------------------------------------------------------------------------------


def test_a_post_has_a_public_page_with_its_card_author_and_full_date(app, post_id):
    page = soup(Browser(app.test_client()).get(f"/post/{post_id}"))

    assert page.title.get_text().startswith(f"susan: “{ENGLISH}”")
    assert page.h1.get_text() == "Post by susan"
    assert card(page, post_id).select_one(".post-body").get_text() == ENGLISH
    assert page.select_one(".post-dates").get_text().startswith("Posted ")
    assert page.select_one(".post-dates time")["datetime"]
    assert page.find("a", string="More posts by susan")["href"] == "/user/susan"
    assert card(page, post_id).select_one(".post-actions") is None  # a visitor


def test_a_long_post_is_cut_in_its_pages_title_at_a_word(susan, make_posts):
    (post_id,) = make_posts("susan", body="word " * 50)
    title = soup(susan.get(f"/post/{post_id}")).title.get_text()
    assert title.startswith("susan: “word word") and "word…”" in title
    assert len(title) < 100


@pytest.mark.parametrize("url", ["/post/999", "/post/0", f"/post/{2**31}", "/post/99999999999"])
def test_a_missing_post_is_404(susan, url):
    assert susan.get(url).status_code == 404
    assert susan.get(f"{url}/edit").status_code == 404
    assert susan.get(f"{url}/delete").status_code == 404
    assert susan.post(f"{url}/delete").status_code == 404


def test_every_card_links_its_time_to_the_posts_page(susan, post_id):
    time_link = soup(susan.get("/explore")).select_one(f"#post-{post_id} .post-meta a.post-time")
    assert time_link["href"] == f"/post/{post_id}"
    assert time_link.find("time")["title"]


# Who sees Edit and Delete -------------------------------------------------------------------


def test_only_the_author_sees_edit_and_delete_even_from_a_warm_cache(app, post_id, john):
    susan = Browser(app.test_client())
    susan.login("susan")
    visitor = Browser(app.test_client())
    for _ in range(2):  # the second round finds every body in the cache
        misses = post_cards.cache_info(app).misses
        susans, johns, visitors = (
            card(soup(reader.get("/explore")), post_id) for reader in (susan, john, visitor)
        )
    assert post_cards.cache_info(app).misses == misses, "the second round rendered no body"
    edit = susans.select_one(".post-actions a.post-edit")
    delete = susans.select_one(".post-actions a.post-delete")
    assert edit["href"] == f"/post/{post_id}/edit?next=/explore"
    assert edit["hx-get"] == edit["href"]
    assert delete["href"] == f"/post/{post_id}/delete?next=/explore"
    # Icon buttons with their names for screen readers, tied to the post they are for.
    assert edit.get_text(strip=True) == "Edit" and edit.svg["aria-hidden"] == "true"
    assert delete.get_text(strip=True) == "Delete"
    assert edit["aria-describedby"] == f"post-{post_id}-by"
    for other in (johns, visitors):
        assert other.select_one(".post-edit, .post-delete") is None
        assert other.select_one(".post-body").get_text() == ENGLISH


def test_the_controls_come_back_in_spanish(susan, post_id):
    actions = card(soup(susan.get("/explore", headers={"Accept-Language": "es"})), post_id)
    assert [a.get_text(strip=True) for a in actions.select(".post-actions a")] == [
        "Editar",
        "Eliminar",
    ]


# Editing without JavaScript ---------------------------------------------------------------


def test_editing_without_javascript_is_a_page_with_the_form_then_a_redirect(susan, post_id, query):
    page = soup(susan.get(f"/post/{post_id}/edit?next=/explore"))
    form = page.select_one("form.post-edit-form")
    assert page.h1.get_text() == "Edit your post"
    assert form["action"] == f"/post/{post_id}/edit" and form["method"] == "post"
    assert not form.has_attr("hx-post")
    assert form.find("textarea", attrs={"name": "post"}).get_text() == ENGLISH
    assert form.find("input", attrs={"name": "next"})["value"] == "/explore"
    assert form.find("a", string="Cancel")["href"] == "/explore"

    response = susan.post(f"/post/{post_id}/edit", {"post": f"  {SPANISH}  ", "next": "/explore"})

    assert response.status_code == 303 and response.headers["Location"] == "/explore"
    post = stored(query, post_id)
    assert post.body == SPANISH and post.language == "es" and post.edited_at is not None
    explore = soup(susan.get("/explore"))
    assert explore.select_one("#flashes").get_text(strip=True) == "Your post was updated."
    edited = card(explore, post_id)
    assert edited.select_one(".post-body").get_text() == SPANISH
    assert edited.select_one(".post-body")["lang"] == "es"
    mark = edited.select_one(".post-meta time.post-edited")
    assert mark.get_text() == "edited" and mark["title"].endswith("Coordinated Universal Time")


def test_the_posts_page_says_when_it_was_edited(susan, post_id):
    susan.post(f"/post/{post_id}/edit", {"post": "Better words"})
    dates = soup(susan.get(f"/post/{post_id}")).select_one(".post-dates").get_text(" ")
    assert "Posted " in dates and "Edited " in dates


def test_saving_the_same_text_changes_nothing(susan, post_id, query):
    response = susan.post(f"/post/{post_id}/edit", {"post": ENGLISH}, follow_redirects=True)
    assert "Nothing was changed." in soup(response).select_one("#flashes").get_text()
    assert stored(query, post_id).edited_at is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write something before posting."),
        ("   \n ", "Write something before posting."),
        ("x" * 281, "A post has at most 280 characters."),
        ("\n".join("line" for _ in range(21)), "This text has at most 20 lines."),
        ("nul \x00 byte", "This text contains an invisible control character (U+0000)."),
    ],
    ids=["empty", "blank", "too-long", "too-many-lines", "nul"],
)
def test_an_edit_follows_the_rules_of_a_new_post(susan, post_id, query, text, error):
    response = susan.post(f"/post/{post_id}/edit", {"post": text})

    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, f"post-{post_id}-text").startswith(error)
    assert page.select_one(".form-error a")["href"] == f"#post-{post_id}-text"
    assert stored(query, post_id).body == ENGLISH

    htmx = susan.post(f"/post/{post_id}/edit", {"post": text}, htmx=True)
    assert htmx.status_code == 422
    fragment = soup(htmx)
    assert fragment.select_one(f"li#post-{post_id} form.post-edit-form")
    assert field_error(fragment, f"post-{post_id}-text").startswith(error)
    assert fragment.select_one("#announcer").get_text().startswith("Your post was not saved")


def test_a_post_of_exactly_the_limit_is_saved(susan, post_id, query):
    assert susan.post(f"/post/{post_id}/edit", {"post": "é" * 280}).status_code == 303
    assert stored(query, post_id).body == "é" * 280


@pytest.mark.parametrize("next_", ["//evil.example/x", "https://evil.example/", "/post/{id}/edit"])
def test_after_editing_only_pages_of_this_site_are_followed(susan, post_id, next_):
    response = susan.post(
        f"/post/{post_id}/edit", {"post": "New words", "next": next_.format(id=post_id)}
    )
    assert response.headers["Location"] == f"/post/{post_id}"


def test_editing_drops_the_translations_of_the_old_text(susan, post_id, query):
    def translate() -> None:
        PostTranslation.store(
            post_id, "es", source=ENGLISH, translated="Los tomates…", provider="DeepL"
        )
        db.session.commit()

    query(translate)
    susan.post(f"/post/{post_id}/edit", {"post": "Something else entirely, my friends"})
    count = query(lambda: db.session.query(PostTranslation).filter_by(post_id=post_id).count())
    assert count == 0


# Editing with htmx --------------------------------------------------------------------------


def test_with_htmx_the_card_turns_into_the_form_and_back(susan, post_id):
    fragment = soup(susan.get(f"/post/{post_id}/edit?next=/explore", htmx=True))
    editing = fragment.select_one(f"li#post-{post_id}.post-editing")
    form = editing.select_one("form")
    assert fragment.find("h1") is None  # only the card's part of the page
    assert form["hx-post"] == f"/post/{post_id}/edit"
    assert form["hx-target"] == f"#post-{post_id}" and form["hx-swap"] == "outerHTML"
    assert form.has_attr("data-escape-cancels")
    textarea = form.find("textarea", attrs={"name": "post"})
    assert textarea.has_attr("autofocus") and textarea["id"] == f"post-{post_id}-text"
    assert form.find("label", attrs={"for": f"post-{post_id}-text"}).get_text() == "Your post"
    cancel = form.find("a", string="Cancel")
    assert cancel["hx-get"] == f"/post/{post_id}?focus=edit"
    assert cancel["href"] == "/explore" and cancel.has_attr("data-cancel")

    restored = soup(susan.get(cancel["hx-get"], htmx=True, headers=on_page("/explore")))
    back = restored.select_one(f"li#post-{post_id}")
    assert back.select_one(".post-body").get_text() == ENGLISH
    assert back.select_one("a.post-edit").has_attr("autofocus")
    assert not back.select_one("a.post-delete").has_attr("autofocus")
    # Its controls still lead back to the page the reader is on.
    assert back.select_one("a.post-edit")["href"] == f"/post/{post_id}/edit?next=/explore"


def on_page(path: str) -> dict[str, str]:
    return {"HX-Current-URL": f"http://localhost{path}"}


def test_with_htmx_saving_swaps_the_edited_card_in_and_announces_it(susan, post_id, query):
    response = susan.post(
        f"/post/{post_id}/edit", {"post": "Fresh words"}, htmx=True, headers=on_page("/explore")
    )

    assert response.status_code == 200
    fragment = soup(response)
    edited = fragment.select_one(f"li#post-{post_id}")
    assert edited.select_one(".post-body").get_text() == "Fresh words"
    assert edited.select_one(".post-edited").get_text() == "edited"
    assert edited.select_one("a.post-edit").has_attr("autofocus")
    assert fragment.select_one("#announcer").get_text() == "Post updated."
    assert stored(query, post_id).body == "Fresh words"


# Deleting -----------------------------------------------------------------------------------


def test_deleting_without_javascript_asks_first_then_deletes(susan, post_id, query):
    page = soup(susan.get(f"/post/{post_id}/delete?next=/explore"))
    assert page.h1.get_text() == "Delete this post?"
    assert card(page, post_id).select_one(".post-body").get_text() == ENGLISH
    assert card(page, post_id).select_one(".post-actions") is None
    form = page.select_one("form.post-confirm")
    assert form["action"] == f"/post/{post_id}/delete" and form["method"] == "post"
    assert form.find("button").get_text() == "Delete"
    assert form.find("a", string="Cancel")["href"] == "/explore"
    assert stored(query, post_id) is not None  # asking deletes nothing

    response = susan.post(f"/post/{post_id}/delete", {"next": "/explore"})

    assert response.status_code == 303 and response.headers["Location"] == "/explore"
    assert stored(query, post_id) is None
    explore = soup(susan.get("/explore"))
    assert explore.select_one("#flashes").get_text(strip=True) == "Your post was deleted."
    assert card(explore, post_id) is None
    assert susan.get(f"/post/{post_id}").status_code == 404
    assert "0 posts" in soup(susan.get("/user/susan")).select_one(".profile").get_text()


def test_deleting_from_the_posts_own_page_goes_to_the_profile(susan, post_id):
    response = susan.post(f"/post/{post_id}/delete", {"next": f"/post/{post_id}"})
    assert response.headers["Location"] == "/user/susan"


def test_with_htmx_delete_asks_in_the_card_then_removes_it(susan, post_id, query):
    fragment = soup(susan.get(f"/post/{post_id}/delete?next=/explore", htmx=True))
    confirm = fragment.select_one(".post-actions.post-confirm")
    assert confirm["role"] == "group"
    question = fragment.find(id=confirm["aria-labelledby"])
    assert question.get_text() == "Delete this post?" and question.has_attr("autofocus")
    form = confirm.find("form")
    assert form["hx-post"] == f"/post/{post_id}/delete"
    assert form["hx-target"] == f"#post-{post_id}" and form["hx-swap"] == "delete"
    cancel = confirm.find("a", string="Cancel")
    assert cancel["hx-get"] == f"/post/{post_id}?focus=delete"
    restored = soup(susan.get(cancel["hx-get"], htmx=True))
    assert restored.select_one(f"li#post-{post_id} a.post-delete").has_attr("autofocus")

    response = susan.post(
        f"/post/{post_id}/delete", {"next": "/explore"}, htmx=True, headers=on_page("/explore")
    )

    assert response.status_code == 200
    assert soup(response).select_one("#announcer").get_text() == "Post deleted."
    assert stored(query, post_id) is None


def test_with_htmx_deleting_on_the_posts_own_page_goes_to_the_profile(susan, post_id):
    response = susan.post(
        f"/post/{post_id}/delete",
        {"next": f"/post/{post_id}"},
        htmx=True,
        headers=on_page(f"/post/{post_id}"),
    )
    assert response.headers["HX-Redirect"] == "/user/susan"


# Nobody else ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["john", "visitor"])
def test_nobody_else_can_edit_or_delete_a_post(app, post_id, john, query, who):
    other = john if who == "john" else Browser(app.test_client())
    for htmx in (False, True):
        assert other.get(f"/post/{post_id}/edit", htmx=htmx).status_code == 403
        assert other.get(f"/post/{post_id}/delete", htmx=htmx).status_code == 403
        edit = other.post(f"/post/{post_id}/edit", {"post": "Hijacked"}, htmx=htmx)
        assert edit.status_code == 403
        assert other.post(f"/post/{post_id}/delete", htmx=htmx).status_code == 403
    post = stored(query, post_id)
    assert post.body == ENGLISH and post.edited_at is None


def test_changes_without_the_csrf_token_are_refused(susan, post_id, query):
    assert susan.post(f"/post/{post_id}/edit", {"post": "x"}, csrf=False).status_code == 400
    assert susan.post(f"/post/{post_id}/delete", csrf=False).status_code == 400
    assert stored(query, post_id).body == ENGLISH
