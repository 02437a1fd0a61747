"""Export my posts: a POST on one's own profile starts a task that mails posts.json; the panel
shows its progress (polling itself with htmx, a Refresh link without), one export at a time,
and failures as they are: with threads, and with Redis and a real `flask worker`."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask

from microblog.extensions import db
from microblog.models import Post, Task, User
from microblog.models.task import DONE, FAILED, QUEUED, RUNNING
from microblog.models.types import utcnow
from microblog.services import exports, tasks
from tests.helpers import PASSWORD, Browser, SmtpSink, browser_on, soup
from tests.jobs.conftest import run_burst

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def app(file_app: Flask) -> Flask:
    """The shared fixtures (users, posts, browsers, the mailbox) on an app whose jobs run
    in threads against a SQLite file."""
    return file_app


def add_posts(app: Flask, username: str, bodies: list[str], *, same_time: bool = False) -> None:
    """Posts by `username`, the first oldest (all at one instant with `same_time`), added in
    an order that is not their age's, so only ORDER BY can put them oldest first."""
    with app.app_context():
        author = User.by_username(username)
        posts = [
            Post(
                body=body,
                author=author,
                timestamp=T0 if same_time else T0 + timedelta(minutes=n),
                language="en" if n % 2 else None,
            )
            for n, body in enumerate(bodies)
        ]
        db.session.add_all(reversed(posts) if not same_time else posts)
        db.session.commit()


def finish_jobs() -> None:
    assert tasks.wait_for_threads(tasks.JOBS, timeout=30), "the export is still running"


def attachment(mail: EmailMessage) -> tuple[str, str, dict]:
    [part] = list(mail.iter_attachments())
    return part.get_filename(), part.get_content_type(), json.loads(part.get_content())


def latest(app: Flask, username: str = "susan") -> Task | None:
    with app.app_context():
        task = Task.latest(user_id=User.by_username(username).id, kind=exports.KIND)
        if task is not None:
            db.session.expunge(task)
        return task


def make_export(app: Flask, *, state: str, progress: int = 40, silent_for: float = 0) -> str:
    """An export task of susan's in `state`, as a worker would have left it."""
    with app.app_context():
        task = Task.create(
            user_id=User.by_username("susan").id, kind=exports.KIND, description="export"
        )
        task.state, task.progress = state, progress
        task.heartbeat = utcnow() - timedelta(seconds=silent_for)
        task.enqueued = task.heartbeat  # handed to the job queue when it was started
        if state in (DONE, FAILED):
            task.active_key, task.finished = None, utcnow()
        db.session.commit()
        return task.id


def panel(response):
    return soup(response).find(id="export")


# Where the export is offered.


def test_own_profile_offers_the_export_as_a_post_form(susan):
    form = panel(susan.get("/user/susan")).find("form")
    assert (form["method"], form["action"], form["hx-post"]) == (
        "post",
        "/export_posts",
        "/export_posts",
    )
    assert form.find("input", attrs={"name": "csrf_token"})
    assert form.find("button").get_text() == "Export my posts"


def test_nobody_else_sees_the_export_on_a_profile(susan, browser):
    assert panel(susan.get("/user/john")) is None
    susan.logout()
    assert panel(browser.get("/user/susan")) is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_export_needs_a_login(browser, method):
    response = getattr(browser, method)("/export_posts")
    assert response.status_code in (302, 303)
    assert "/auth/login" in response.headers["Location"]


def test_starting_an_export_needs_the_csrf_token(susan, app):
    response = susan.post("/export_posts", csrf=False)
    assert response.status_code == 400
    assert latest(app) is None


def test_get_export_posts_shows_the_form_and_starts_nothing(susan, app):
    page = soup(susan.get("/export_posts"))
    assert page.h1.get_text() == "Export your posts"
    assert page.find(id="export").find("button").get_text() == "Export my posts"
    assert latest(app) is None


# The job and its mail.


def test_the_export_mails_every_post_oldest_first_as_posts_json(susan, app, mailbox):
    app.config["EXPORT_BATCH_SIZE"] = 2  # three batches and a bit: the cursor is exercised
    add_posts(app, "susan", [f"Post {n} — ñ <b>" for n in range(7)])
    add_posts(app, "john", ["Not susan's"])
    response = susan.post("/export_posts")
    assert (response.status_code, response.headers["Location"]) == (303, "/export_posts")
    finish_jobs()
    [mail] = mailbox.received()
    assert mail["To"] == "susan@example.com"
    assert mail["Subject"] == "Your Microblog posts"
    assert "your 7 posts are attached as posts.json" in mail.get_body(("plain",)).get_content()
    filename, content_type, content = attachment(mail)
    assert (filename, content_type) == ("posts.json", "application/json")
    assert content == {
        "posts": [
            {
                "body": f"Post {n} — ñ <b>",
                "timestamp": (T0 + timedelta(minutes=n)).isoformat(),
                "language": "en" if n % 2 else None,
            }
            for n in range(7)
        ]
    }
    datetime.fromisoformat(content["posts"][0]["timestamp"])  # ISO 8601, with its offset
    task = latest(app)
    assert (task.state, task.progress, task.active_key) == (DONE, 100, None)


def test_posts_of_one_instant_are_each_exported_once_across_batches(susan, app, mailbox):
    app.config["EXPORT_BATCH_SIZE"] = 2
    add_posts(app, "susan", [f"Same time {n}" for n in range(5)], same_time=True)
    susan.post("/export_posts")
    finish_jobs()
    [mail] = mailbox.received()
    bodies = [post["body"] for post in attachment(mail)[2]["posts"]]
    assert bodies == [f"Same time {n}" for n in range(5)]


def test_an_export_without_posts_mails_an_empty_list(susan, app, mailbox):
    susan.post("/export_posts")
    finish_jobs()
    [mail] = mailbox.received()
    assert attachment(mail)[2] == {"posts": []}


def test_the_mail_is_written_in_the_language_of_the_request(susan, app, mailbox):
    susan.post("/export_posts", headers={"Accept-Language": "es"})
    finish_jobs()
    [mail] = mailbox.received()
    assert mail["Subject"] == "Tus publicaciones de Microblog"


def test_progress_is_reported_after_every_batch(app, make_user):
    make_user("susan")
    add_posts(app, "susan", [f"Post {n}" for n in range(5)])
    seen: list[tuple[int, int]] = []
    out = io.StringIO()
    with app.app_context():
        count = exports.write_posts(
            User.by_username("susan").id,
            out,
            batch=2,
            progress=lambda done, total: seen.append((done, total)),
        )
    assert count == 5 and seen == [(2, 5), (4, 5), (5, 5)]
    assert [post["body"] for post in json.loads(out.getvalue())["posts"]] == [
        f"Post {n}" for n in range(5)
    ]


# One at a time, and failures.


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_second_export_while_one_runs_says_so_and_starts_nothing(susan, app, htmx):
    running = make_export(app, state=RUNNING, progress=40)
    response = susan.post("/export_posts", htmx=htmx)
    if htmx:
        assert response.status_code == 200
        page = soup(response)
        assert page.find(id="export").find("progress")["value"] == "40"
    else:
        assert response.status_code == 303
        page = soup(susan.get(response.headers["Location"]))
    assert "An export of your posts is already running." in page.find(id="flashes").get_text()
    assert latest(app).id == running


def test_a_mail_server_that_refuses_leaves_the_export_failed_and_says_so(susan, app, mailbox):
    mailbox.refuse.add("susan@example.com")
    susan.post("/export_posts")
    finish_jobs()
    task = latest(app)
    assert (task.state, task.failure) == (FAILED, "mail")
    assert "550" in task.error
    shown = panel(susan.get("/user/susan"))
    assert shown.find(class_="export-failed").get_text() == (
        "The mail with your posts could not be sent."
    )
    assert shown.find("button").get_text() == "Try again"


def test_without_a_mail_server_the_export_fails_rather_than_pretend(susan, app):
    susan.post("/export_posts")
    finish_jobs()
    task = latest(app)
    assert (task.state, task.failure) == (FAILED, "no_mail")
    assert "MAIL_SERVER" in task.error
    # Not "could not be sent" with a Try again that would fail the same way: the reason.
    shown = panel(susan.get("/user/susan")).find(class_="export-failed").get_text()
    assert shown.startswith("This site is not set up to send mail yet")


def test_an_export_whose_worker_died_shows_failed_and_may_start_again(susan, app, mailbox):
    make_export(app, state=RUNNING, progress=40, silent_for=120)
    shown = panel(susan.get("/export_posts"))
    assert shown.find(class_="export-failed").get_text() == "The export stopped before it was done."
    assert not shown.has_attr("hx-trigger")  # it does not poll a dead job
    assert susan.post("/export_posts").status_code == 303
    finish_jobs()
    assert latest(app).state == DONE
    assert len(mailbox.received()) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_with_the_queue_unreachable_the_export_says_it_is_queued_until_it_is_back(
    database_file, closed_port, htmx
):
    browser = browser_on(database_file, REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    app = browser.client.application
    browser.login("susan")
    response = browser.post("/export_posts", htmx=htmx)
    if htmx:
        assert response.status_code == 200
        page = soup(response)
        assert announcement(response) == "Export queued."
    else:
        assert (response.status_code, response.headers["Location"]) == (303, "/export_posts")
        page = soup(browser.get("/export_posts"))
        assert page.find(id="flashes").get_text(" ", strip=True) == (
            "Your export is queued. It will start when the job queue is back, and we will "
            "mail your posts to you."
        )
    shown = page.find(id="export")
    assert shown.find("label").get_text() == (
        "Your export is queued: it will start when the job queue is back."
    )
    assert shown["hx-trigger"] == "load delay:1s"  # it keeps asking
    assert shown.find("button") is None  # one at a time, also while it waits
    task = latest(app)
    assert (task.state, task.enqueued, task.failure) == (QUEUED, None, None)
    assert task.job == "microblog.services.exports:export_posts"
    assert task.keyword_arguments == {"locale": "en"}
    # A second POST finds it waiting, and starts nothing more.
    again = browser.post("/export_posts", htmx=True)
    assert "An export of your posts is already running." in soup(again).get_text()
    assert latest(app).id == task.id


# The panel: polling fragment, whole page, announcements.


def test_a_running_export_polls_itself_as_a_fragment(susan, app):
    make_export(app, state=RUNNING, progress=40)
    response = susan.get("/export_posts?heard=25", htmx=True)
    page = soup(response)
    assert page.find("html") is None and page.find("main") is None
    shown = page.find(id="export")
    assert (shown["hx-get"], shown["hx-trigger"], shown["hx-swap"], shown["hx-target"]) == (
        "/export_posts?heard=25",
        "load delay:1s",
        "outerHTML",
        "this",
    )
    bar = shown.find("progress")
    assert (bar["value"], bar["max"], bar.get_text()) == ("40", "100", "40%")
    label = shown.find("label", attrs={"for": bar["id"]})
    assert label.get_text() == "Exporting your posts: 40%"
    assert shown.find("a", id="export-refresh")["href"] == "/export_posts"


def test_without_javascript_the_page_shows_the_state_and_a_refresh_link(susan, app):
    make_export(app, state=QUEUED, progress=0)
    page = soup(susan.get("/export_posts"))
    assert page.find("html") is not None and page.h1.get_text() == "Export your posts"
    shown = page.find(id="export")
    assert shown.find("label").get_text() == "Your export is queued and waiting to start."
    assert not shown.find("progress").has_attr("value")  # indeterminate while queued
    assert shown.find("a", string="Refresh")["href"] == "/export_posts"
    assert shown.find("button") is None  # one at a time: no form while it is active


def test_the_profile_shows_a_running_export(susan, app):
    make_export(app, state=RUNNING, progress=60)
    shown = panel(susan.get("/user/susan"))
    assert shown.find("progress")["value"] == "60"
    assert shown["hx-get"] == "/export_posts?heard=50"  # a page load announces nothing old


def announcement(response) -> str | None:
    region = soup(response).find(id="announcer")
    return region.get_text() if region else None


@pytest.mark.parametrize(
    ("progress", "heard", "said", "next_heard"),
    [
        (10, 0, None, 0),
        (30, 0, "Export 25% done.", 25),
        (40, 25, None, 25),
        (80, 25, "Export 75% done.", 75),
    ],
)
def test_screen_readers_hear_each_quarter_once(susan, app, progress, heard, said, next_heard):
    make_export(app, state=RUNNING, progress=progress)
    response = susan.get(f"/export_posts?heard={heard}", htmx=True)
    assert announcement(response) == said
    assert panel(response)["hx-get"] == f"/export_posts?heard={next_heard}"


def test_the_end_is_announced_and_polling_stops(susan, app):
    make_export(app, state=DONE, progress=100)
    response = susan.get("/export_posts?heard=75", htmx=True)
    assert announcement(response) == "Your posts were sent to your email."
    shown = panel(response)
    assert not shown.has_attr("hx-trigger") and not shown.has_attr("hx-get")
    assert shown.find(class_="export-done").get_text().startswith("Sent to your email")
    assert shown.find("button").get_text() == "Export again"


def test_starting_with_htmx_swaps_in_the_progress_and_announces_it(susan, app, mailbox):
    mailbox.answering.clear()  # the job waits at the mail server: still active when answered
    response = susan.post("/export_posts", htmx=True)
    assert response.status_code == 200
    assert announcement(response) == "Export started."
    shown = panel(response)
    assert shown["hx-trigger"] == "load delay:1s" and shown.find("progress")
    mailbox.answering.set()
    finish_jobs()


@pytest.mark.parametrize("heard", ["abc", "-1", "1000", "²"])
def test_a_strange_heard_argument_is_ignored(susan, app, heard):
    make_export(app, state=RUNNING, progress=40)
    response = susan.get(f"/export_posts?heard={heard}", htmx=True)
    assert response.status_code == 200
    assert panel(response)["hx-get"] == "/export_posts?heard=25"


# With Redis and a real worker.


def test_with_redis_the_export_waits_for_a_worker_which_mails_it(
    redis_app, start_worker, smtp_sink: SmtpSink
):
    redis_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with redis_app.app_context():
        user = User(username="susan", email="susan@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    add_posts(redis_app, "susan", ["First", "Second", "Third"])
    browser = Browser(redis_app.test_client())
    browser.login("susan")
    browser.post("/export_posts")
    shown = soup(browser.get("/export_posts")).find(id="export")
    assert shown.find("label").get_text() == "Your export is queued and waiting to start."
    run_burst(
        start_worker,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_sink.port),
        EXPORT_BATCH_SIZE="2",
    )
    [mail] = smtp_sink.received()
    assert [post["body"] for post in attachment(mail)[2]["posts"]] == ["First", "Second", "Third"]
    assert latest(redis_app).state == DONE
    shown = soup(browser.get("/export_posts")).find(id="export")
    assert shown.find(class_="export-done")
