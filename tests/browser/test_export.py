"""Export my posts in a real browser: the panel polls itself while the export runs (and stops
when it is sent), screen readers hear its steps, it works with JavaScript off through the
Refresh link, and axe-core finds nothing wrong while the bar moves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from microblog.extensions import db
from microblog.models import Task, User
from microblog.models.types import utcnow
from microblog.services import exports, tasks
from tests.browser.helpers import Site, assert_accessible, log_in
from tests.helpers import SmtpSink


@pytest.fixture
def mail_site(site: Site) -> Iterator[tuple[Site, SmtpSink]]:
    """The live site mailing to a local SMTP sink, with susan and three posts of hers."""
    sink = SmtpSink()
    sink.controller.start()
    site.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    site.add_user("susan")
    site.add_posts("susan", 3, body="susan post {n}")
    yield site, sink
    sink.answering.set()
    assert tasks.wait_for_threads(tasks.JOBS, timeout=30)
    sink.controller.stop()
    site.app.config.update(MAIL_SERVER=None)


def set_export(site: Site, *, state: str, progress: int) -> None:
    """Put susan's export where a worker would have it."""
    with site.app.app_context():
        user_id = User.by_username("susan").id
        task = Task.latest(user_id=user_id, kind=exports.KIND)
        if task is None:
            task = Task.create(user_id=user_id, kind=exports.KIND, description="export")
        task.state, task.progress, task.heartbeat = state, progress, utcnow()
        task.enqueued = task.enqueued or utcnow()  # in the job queue, as a worker found it
        if state == "done":
            task.active_key, task.finished = None, utcnow()
        db.session.commit()


def attached_bodies(sink: SmtpSink) -> list[str]:
    [mail] = sink.received()
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "posts.json"
    return [post["body"] for post in json.loads(part.get_content())["posts"]]


def test_with_htmx_the_bar_moves_is_announced_and_stops_when_sent(page: Page, mail_site):
    _site, sink = mail_site
    sink.answering.clear()  # the export waits at the mail server until the test lets it go
    log_in(page, "susan")
    page.goto("/user/susan")
    assert_accessible(page, "one's own profile with the export form")
    page.get_by_role("button", name="Export my posts").click()
    bar = page.locator("#export progress")
    # Written, and waiting for the mail server: the bar shows it, the panel keeps polling.
    expect(bar).to_have_attribute("value", "90")
    expect(page.locator("#export label")).to_have_text("Exporting your posts: 90%")
    expect(page.locator("#announcer")).to_have_text("Export 75% done.")
    assert page.url.endswith("/user/susan")  # all of it in place, on the profile
    assert_accessible(page, "the profile while the export runs")
    sink.answering.set()
    expect(page.locator("#export .export-done")).to_contain_text("Sent to your email")
    expect(page.locator("#announcer")).to_have_text("Your posts were sent to your email.")
    assert attached_bodies(sink) == ["susan post 1", "susan post 2", "susan post 3"]
    # Done: no more polling.
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.wait_for_timeout(2500)
    assert not [url for url in asked if "/export_posts" in url]
    assert_accessible(page, "the profile after the export was sent")


def test_the_bar_follows_a_worker_step_by_step_and_stays_accessible(page: Page, mail_site):
    site, _sink = mail_site
    set_export(site, state="queued", progress=0)
    log_in(page, "susan")
    page.goto("/export_posts")
    expect(page.locator("#export label")).to_have_text(
        "Your export is queued and waiting to start."
    )
    assert_accessible(page, "the export page while it is queued")
    for percent, said in ((10, None), (30, "Export 25% done."), (55, "Export 50% done.")):
        set_export(site, state="running", progress=percent)
        expect(page.locator("#export progress")).to_have_attribute("value", str(percent))
        if said:
            expect(page.locator("#announcer")).to_have_text(said)
        assert_accessible(page, f"the export page at {percent}%")
    set_export(site, state="done", progress=100)
    expect(page.locator("#export .export-done")).to_be_visible()
    expect(page.get_by_role("button", name="Export again")).to_be_visible()


def test_a_second_export_while_one_runs_is_refused_with_a_message(page: Page, mail_site):
    site, _sink = mail_site
    log_in(page, "susan")
    page.goto("/user/susan")  # the form, loaded before the other export starts
    set_export(site, state="running", progress=40)
    page.get_by_role("button", name="Export my posts").click()
    expect(page.locator("#flashes")).to_contain_text("An export of your posts is already running.")
    expect(page.locator("#export progress")).to_have_attribute("value", "40")


def test_without_javascript_the_state_and_a_refresh_link(
    new_context: Callable[..., BrowserContext], mail_site
):
    _site, sink = mail_site
    sink.answering.clear()
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "susan")
    page.goto("/user/susan")
    page.get_by_role("button", name="Export my posts").click()
    page.wait_for_url("**/export_posts")
    expect(page.locator("#flashes")).to_contain_text("Your export has started.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export your posts")
    # The page does not ask by itself; Refresh shows the state as it is now.
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    sink.answering.set()
    assert tasks.wait_for_threads(tasks.JOBS, timeout=30)
    page.get_by_role("link", name="Refresh").click()
    expect(page.locator("#export .export-done")).to_contain_text("Sent to your email")
    expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
    assert len(attached_bodies(sink)) == 3
    page.goto("/user/susan")
    expect(page.locator("#export .export-done")).to_be_visible()


def test_an_export_whose_worker_died_offers_to_try_again(page: Page, mail_site):
    site, _sink = mail_site
    set_export(site, state="running", progress=40)
    with site.app.app_context():
        task = Task.latest(user_id=User.by_username("susan").id, kind=exports.KIND)
        task.heartbeat = utcnow() - timedelta(minutes=5)
        db.session.commit()
    log_in(page, "susan")
    page.goto("/user/susan")
    expect(page.locator("#export .export-failed")).to_have_text(
        "The export stopped before it was done."
    )
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#export .export-done")).to_contain_text("Sent to your email")
