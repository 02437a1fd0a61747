"""Configuration rules and the `next` check, which need no database."""

import pytest

from microblog import create_app
from microblog.config import DEV_SECRET_KEY, Config, normalize_database_url
from microblog.security import is_safe_next
from microblog.services.avatars import identicon_svg


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("mysql://root@h/db", "mysql+pymysql://root@h/db"),
        ("mysql+pymysql://root@h/db", "mysql+pymysql://root@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_get_the_installed_drivers(given, expected):
    assert normalize_database_url(given) == expected


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/site")
    assert (
        Config(tmp_path).SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://someone@db.example/site"
    )
    monkeypatch.delenv("DATABASE_URL")
    assert Config(tmp_path).SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'microblog.db'}"


def test_app_refuses_to_start_with_the_development_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    config = Config(tmp_path)
    assert config.SECRET_KEY == DEV_SECRET_KEY
    with pytest.raises(SystemExit) as exit_info:
        create_app(config)
    message = str(exit_info.value)
    assert "SECRET_KEY" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/index", True),
        ("/user/susan?page=2", True),
        ("/", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("http:/evil.example", False),
        ("javascript:alert(1)", False),
        ("evil.example", False),
        ("/\tevil", False),
        ("", False),
        (None, False),
    ],
)
def test_only_paths_on_this_site_are_safe_redirect_targets(target, safe):
    assert is_safe_next(target) is safe


def test_identicons_are_deterministic_and_differ_between_users():
    assert identicon_svg("user:1") == identicon_svg("user:1")
    assert identicon_svg("user:1") != identicon_svg("user:2")
    assert identicon_svg("user:1").startswith("<svg")
