"""`flask seed demo` and `flask seed load-csv` with the shared benchmark data format."""

import csv

import pytest
from sqlalchemy import select

from microblog.extensions import db
from microblog.models import Post, PostList, User, follow_stats, paginate
from microblog.services.search import search_posts

pytestmark = pytest.mark.alldb  # the subject of every test here is the database


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_seed_demo_adds_users_once(app, query):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "demo-password" in result.output
    assert query(lambda: User.query.count()) == 3
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert again.exit_code == 0
    assert query(lambda: User.query.count()) == 3
    assert query(lambda: User.authenticate("susan", "demo-password")) is not None


def test_seed_load_csv_loads_the_benchmark_format(app, query, tmp_path):
    write_csv(
        tmp_path / "users.csv",
        ["id", "username", "email", "about_me", "last_seen"],
        [
            [
                1,
                "user0001",
                "user0001@example.com",
                'Likes <b> & "quotes"',
                "2024-03-05T12:34:56+00:00",
            ],
            [2, "user0002", "user0002@example.com", "", "2024-03-06T12:00:00+00:00"],
        ],
    )
    write_csv(tmp_path / "follows.csv", ["follower_id", "followed_id"], [[1, 2]])
    write_csv(
        tmp_path / "posts.csv",
        ["id", "user_id", "body", "timestamp", "language"],
        [
            [1, 2, "hola mundo #Saludos", "2024-03-01T00:00:00+00:00", "es"],
            [2, 1, "a & b < c", "2024-03-02T00:00:00+00:00", ""],
        ],
    )
    result = app.test_cli_runner().invoke(args=["seed", "load-csv", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 users, 1 follows and 2 posts." in result.output

    def check():
        first = User.authenticate("user0001", "pw-user0001")
        assert first is not None and first.about_me == 'Likes <b> & "quotes"'
        assert User.by_username("user0002").about_me is None
        assert follow_stats(first).following == 1
        timeline = [
            p.body for p in paginate(PostList.timeline_for(first), page=1, per_page=10).items
        ]
        assert timeline == ["a & b < c", "hola mundo #Saludos"]
        # The tags are loaded with the text, so search finds them.
        assert [post.tags for post in db.session.scalars(select(Post).order_by(Post.id))] == [
            "#saludos",
            "",
        ]
        assert search_posts("#saludos").ids == [1]
        # New rows get ids after the loaded ones (PostgreSQL's sequences were moved on).
        post = Post(body="new", author=first)
        db.session.add(post)
        db.session.commit()
        assert post.id > 2

    query(check)
    refused = app.test_cli_runner().invoke(args=["seed", "load-csv", str(tmp_path)])
    assert refused.exit_code != 0
