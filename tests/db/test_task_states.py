"""The task's state changes that decide whether a job runs are single conditional UPDATEs,
so two processes racing over one task cannot both win, on every database."""

from datetime import timedelta

import pytest

from microblog.extensions import db
from microblog.models import Task
from microblog.models.task import FAILED, QUEUED, RUNNING
from microblog.models.types import utcnow

pytestmark = pytest.mark.alldb  # rowcounts and timestamp comparisons are the database's


def new_task(user_id: int, *, waited: timedelta = timedelta(0), kind: str = "export") -> str:
    task = Task.create(user_id=user_id, kind=kind, description="x", job="m:f", arguments={"a": 1})
    task.heartbeat = utcnow() - waited
    db.session.commit()
    return task.id


def test_only_one_claim_starts_a_queued_task_and_none_a_stale_one(app, make_user):
    susan, john = make_user("susan"), make_user("john")
    with app.app_context():
        fresh, stale = new_task(susan), new_task(john, waited=timedelta(minutes=20))
        since = utcnow() - timedelta(minutes=15)
        assert Task.claim(fresh, queued_since=since) is True
        assert Task.claim(fresh, queued_since=since) is False
        assert Task.claim(stale, queued_since=since) is False
        db.session.commit()
        assert db.session.get(Task, fresh).state == RUNNING
        assert db.session.get(Task, stale).state == QUEUED
        assert db.session.get(Task, fresh).keyword_arguments == {"a": 1}


def test_handing_over_is_compare_and_set(app, make_user):
    susan = make_user("susan")
    with app.app_context():
        task_id = new_task(susan)
        first = utcnow()
        assert Task.mark_enqueued(task_id, when=first, was=None) is True
        assert Task.mark_enqueued(task_id, when=utcnow(), was=None) is False  # too late
        db.session.commit()
        stored = db.session.get(Task, task_id).enqueued
        assert stored == first
        assert Task.mark_enqueued(task_id, when=None, was=stored) is True  # the queue failed
        db.session.commit()
        assert db.session.get(Task, task_id).enqueued is None


def test_tasks_queued_too_long_are_given_up_and_running_ones_left_alone(app, make_user):
    susan, john, mary = make_user("susan"), make_user("john"), make_user("mary")
    with app.app_context():
        never = new_task(susan, waited=timedelta(minutes=20))
        handed = new_task(john, waited=timedelta(minutes=20))
        Task.mark_enqueued(handed, when=utcnow(), was=None)
        running = new_task(mary, waited=timedelta(minutes=20))
        db.session.get(Task, running).start()
        db.session.commit()
        recent = new_task(mary, kind="other")
        assert Task.give_up_waiting(queued_before=utcnow() - timedelta(minutes=15)) == 2
        db.session.commit()
        db.session.expire_all()
        rows = {task_id: db.session.get(Task, task_id) for task_id in (never, handed, running)}
        assert rows[never].error == "given up in the queue: the job queue could not be reached"
        assert rows[handed].error == "given up in the queue: no worker started it"
        assert all(rows[t].state == FAILED and rows[t].active_key is None for t in (never, handed))
        assert rows[running].state == RUNNING
        assert db.session.get(Task, recent).state == QUEUED
        assert [task.id for task in Task.waiting(limit=10)] == [recent]
