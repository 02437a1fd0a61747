"""The tutorial's model tests, and the database rules behind them, on every database."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from microblog.extensions import db
from microblog.models import Post, PostList, User, follow_stats, paginate
from microblog.models.types import utcnow


def test_password_hashing(app):
    with app.app_context():
        user = User(username="susan", email="susan@example.com")
        user.set_password("cat and dog")
        assert user.password_hash != "cat and dog"
        assert user.check_password("cat and dog")
        assert not user.check_password("dog and cat")


@pytest.mark.alldb
def test_authenticate_accepts_any_case_of_username_and_rejects_wrong_passwords(app, make_user):
    make_user("Susan", password="right password")
    with app.app_context():
        assert User.authenticate("susan", "right password").username == "Susan"
        assert User.authenticate("SUSAN", "wrong password") is None
        assert User.authenticate("nobody", "right password") is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("susan", "susan@example.com"), ("SUSAN", "other@example.com")),
        (("susan", "susan@example.com"), ("other", "Susan@Example.COM")),
    ],
)
@pytest.mark.alldb
def test_usernames_and_emails_are_unique_whatever_their_case(app, first, second):
    with app.app_context():
        db.session.add(User(username=first[0], email=first[1]))
        db.session.commit()
        db.session.add(User(username=second[0], email=second[1]))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.query(User).count() == 1


@pytest.mark.alldb
def test_follow_and_unfollow(app, make_user):
    make_user("john")
    make_user("susan")
    with app.app_context():
        john, susan = User.by_username("john"), User.by_username("susan")
        assert not john.is_following(susan)
        assert john.follow(susan) is True
        assert john.follow(susan) is False  # already following: nothing changes
        db.session.commit()
        assert john.is_following(susan)
        stats = follow_stats(susan, john)
        assert (stats.followers, stats.following, stats.followed_by_viewer) == (1, 0, True)
        assert follow_stats(john).following == 1
        assert john.unfollow(susan) is True
        assert john.unfollow(susan) is False
        db.session.commit()
        assert not john.is_following(susan)
        assert follow_stats(susan, john).followers == 0


def test_a_user_cannot_follow_themselves(app, make_user):
    make_user("john")
    with app.app_context():
        john = User.by_username("john")
        with pytest.raises(ValueError, match="themselves"):
            john.follow(john)


@pytest.mark.alldb
def test_timeline_has_own_and_followed_posts_newest_first(app, make_user):
    for name in ("john", "susan", "mary", "david"):
        make_user(name)
    with app.app_context():
        john, susan, mary, david = (User.by_username(n) for n in ("john", "susan", "mary", "david"))
        now = utcnow()
        posts = {
            author.username: Post(
                body=f"post from {author.username}",
                author=author,
                timestamp=now + timedelta(seconds=seconds),
            )
            for author, seconds in ((john, 1), (susan, 4), (mary, 3), (david, 2))
        }
        db.session.add_all(posts.values())
        john.follow(susan)
        john.follow(david)
        susan.follow(mary)
        mary.follow(david)
        db.session.commit()

        def timeline(user: User) -> list[str]:
            posts = paginate(PostList.timeline_for(user), page=1, per_page=10).items
            return [p.author.username for p in posts]

        assert timeline(john) == ["susan", "david", "john"]
        assert timeline(susan) == ["susan", "mary"]
        assert timeline(mary) == ["mary", "david"]
        assert timeline(david) == ["david"]


@pytest.mark.alldb
def test_paginate_knows_whether_there_is_a_next_page_without_counting(app, make_user, make_posts):
    make_user("john")
    make_posts("john", 5)
    with app.app_context():
        first = paginate(PostList.explore(), page=1, per_page=2)
        last = paginate(PostList.explore(), page=3, per_page=2)
        beyond = paginate(PostList.explore(), page=4, per_page=2)
    assert [p.body for p in first.items] == ["Post number 5", "Post number 4"]
    assert first.has_next and not first.has_prev
    assert [p.body for p in last.items] == ["Post number 1"]
    assert not last.has_next and last.has_prev
    assert beyond.is_empty


@pytest.mark.alldb
def test_timestamps_come_back_timezone_aware_with_fractions_of_seconds(app, make_user):
    make_user("john")
    with app.app_context():
        moment = utcnow().replace(microsecond=123456)
        post = Post(body="hi", author=User.by_username("john"), timestamp=moment)
        db.session.add(post)
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.get(Post, post.id)
        assert loaded.timestamp == moment
        assert loaded.timestamp.utcoffset() == timedelta(0)


def test_last_seen_is_written_at_most_once_per_interval(app, make_user):
    make_user("john")
    with app.app_context():
        john = User.by_username("john")
        now = utcnow()
        interval = timedelta(minutes=1)
        assert john.touch_last_seen(now + timedelta(minutes=2), interval)
        assert not john.touch_last_seen(now + timedelta(minutes=2, seconds=30), interval)
        assert john.touch_last_seen(now + timedelta(minutes=3, seconds=1), interval)
