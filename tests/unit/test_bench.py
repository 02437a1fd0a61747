"""The benchmark scripts' own plumbing: their arguments, and a benchmark database kept from
one run to the next (loaded once, migrated when the code's schema moved on)."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from bench import data, poll, run, search
from microblog import config, create_app


@pytest.mark.parametrize("script", [run, search, poll], ids=["run", "search", "poll"])
@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_a_count_of_rounds_below_one_is_refused_before_anything_runs(script, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        script.main(["--rounds", value])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "argument --rounds:" in error
    assert ("must be 1 or more" in error) if value != "two" else ("not a whole number" in error)


def test_an_existing_bench_database_is_migrated_not_reloaded(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(data.SCALES, "tiny", {"users": 2, "follows": 1, "posts": 2})
    source = tmp_path / "tiny"
    source.mkdir()
    # The shared data set's format (`flask seed load-csv`), in miniature.
    for name, rows in {
        "users.csv": [
            "id,username,email,about_me,last_seen",
            "1,user0001,user0001@example.com,,2024-03-05T12:34:56+00:00",
            "2,user0002,user0002@example.com,,2024-03-06T12:00:00+00:00",
        ],
        "follows.csv": ["follower_id,followed_id", "1,2"],
        "posts.csv": [
            "id,user_id,body,timestamp,language",
            "1,2,hola mundo #Saludos,2024-03-01T00:00:00+00:00,es",
            "2,1,plain words,2024-03-02T00:00:00+00:00,",
        ],
    }.items():
        (source / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    assert data.load_database(url, source, "tiny", reload=False) is not None
    engine = sa.create_engine(url)
    try:
        head = data.schema_revision(engine)
        # A database made before the latest migration, as a checkout of last week left it.
        with create_app(config.TestConfig(url)).app_context():
            flask_migrate.downgrade()
        behind = data.schema_revision(engine)
        assert behind != head
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE post SET body = 'kept' WHERE id = 2"))
        capsys.readouterr()

        assert data.load_database(url, source, "tiny", reload=False) is None, "not reloaded"
        assert f"migrated {url} from revision {behind}" in capsys.readouterr().out
        assert data.schema_revision(engine) == head == data.head_revision()
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, body, tags FROM post ORDER BY id"))
            assert rows.all() == [(1, "hola mundo #Saludos", "#saludos"), (2, "kept", "")]

        # At the head already: nothing to migrate, nothing said.
        assert data.load_database(url, source, "tiny", reload=False) is None
        assert "migrated" not in capsys.readouterr().out
    finally:
        engine.dispose()
