"""Links in posts: web addresses, @mentions of people who exist, #tags to their search."""

from __future__ import annotations

from tests.helpers import soup


def card_body(browser, post_id: int, url: str = "/explore"):
    return soup(browser.get(url)).select_one(f"#post-{post_id} .post-body")


def test_a_post_links_its_addresses_people_and_tags(browser, make_user, make_posts):
    make_user("susan")
    make_user("John")
    [post] = make_posts(
        "susan", body="Ask @john or @ghost about #tomatoes: https://example.com/guide."
    )
    body = card_body(browser, post)
    assert body.get_text() == "Ask @john or @ghost about #tomatoes: example.com/guide."
    mention = body.find("a", class_="mention")
    assert (mention.get_text(), mention["href"]) == ("@john", "/user/John")
    tag = body.find("a", class_="hashtag")
    assert (tag.get_text(), tag["href"]) == ("#tomatoes", "/search?q=%23tomatoes")
    external = body.find("a", rel="nofollow")
    assert external["href"] == "https://example.com/guide"
    assert external["rel"] == ["nofollow", "ugc", "noopener"]
    assert len(body.find_all("a")) == 3  # @ghost stays text


def test_a_tag_link_finds_the_posts_with_that_tag(browser, make_user, make_posts):
    make_user("susan")
    [tagged] = make_posts("susan", body="Picked the first #tomatoes today")
    make_posts("susan", body="No tag, just tomatoes")
    href = card_body(browser, tagged).find("a", class_="hashtag")["href"]
    found = soup(browser.get(href))
    assert [li["id"] for li in found.select("#post-list > li")] == [f"post-{tagged}"]
    assert found.select_one("#search-q")["value"] == "#tomatoes"


def test_a_mention_links_once_that_person_exists(browser, make_user, make_posts):
    make_user("susan")
    [post] = make_posts("susan", body="Waiting for @kim to join")
    assert card_body(browser, post).find("a") is None
    make_user("kim")
    # The cached card is another one now: whether kim exists is part of its key.
    assert card_body(browser, post).find("a", class_="mention")["href"] == "/user/kim"


def test_links_show_on_timelines_profiles_search_and_a_new_post(susan, make_posts):
    [post] = make_posts("john", body="Hello @susan, see #garden")
    susan.post("/follow/john")
    for url in ("/", "/user/john", "/search?q=hello"):
        assert card_body(susan, post, url).find("a", class_="mention")["href"] == "/user/susan"
    response = susan.post("/", {"post": "Thanks @john! #garden"}, htmx=True)
    new_card = soup(response).select_one("#post-list > li, [hx-swap-oob] li.post")
    assert new_card.find("a", class_="mention")["href"] == "/user/john"


def test_hostile_text_in_a_post_stays_text(susan, make_posts):
    body = '<script>alert(1)</script> javascript:alert(1) "onmouseover=x" https://x.org/"><b>'
    [post] = make_posts("susan", body=body)
    card = card_body(susan, post)
    assert card.find("script") is None and card.find("b") is None
    assert [a["href"] for a in card.find_all("a")] == ["https://x.org/"]
