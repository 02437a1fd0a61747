"""Configuration rules and the `next` check, which need no database."""

import pytest

from microblog import config as configs
from microblog import create_app
from microblog.config import DEV_SECRET_KEY, Config, normalize_database_url
from microblog.security import is_safe_next
from microblog.services.avatars import identicon_hue, identicon_svg


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
    monkeypatch.chdir(tmp_path)  # no .env here
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


# Settings a developer's shell or .env may well hold, each with a value that shows if read.
LEAKY_SETTINGS = {
    "DATABASE_URL": "postgresql://leak@db.example/site",
    "SECRET_KEY": "leaked-secret",
    "MAIL_SERVER": "smtp.leak.example",
    "MAIL_PORT": "2525",
    "ADMINS": "leak@example.com",
    "POSTS_PER_PAGE": "3",
    "POST_CARD_CACHE_SIZE": "1",
    "AVATAR_PROVIDER": "gravatar",
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_SECURE": "1",
    "LOG_TO_STDOUT": "1",
    "LOG_DIR": "/var/log/leak",
    "API_TOKEN_MINUTES": "1",
    "RESET_TOKEN_MINUTES": "1",
    "BASE_URL": "https://leak.example",
    "TRUSTED_HOSTS": "leak.example",
    "TRANSLATION_PROVIDER": "deepl",
    "DEEPL_API_KEY": "leaked-key",
    "FLASK_DEBUG": "1",
}


def test_test_config_ignores_dotenv_and_the_environment(monkeypatch, tmp_path):
    for name in LEAKY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    clean = vars(configs.TestConfig())

    (tmp_path / ".env").write_text(
        "".join(f"{name}={value}\n" for name, value in LEAKY_SETTINGS.items()), encoding="utf-8"
    )
    assert vars(configs.TestConfig()) == clean
    for name, value in LEAKY_SETTINGS.items():
        monkeypatch.setenv(name, value)
    assert vars(configs.TestConfig()) == clean
    app = create_app(configs.TestConfig())
    assert not app.debug
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["MAIL_SERVER"] is None
    assert app.config["SECRET_KEY"] == "test-secret"
    assert app.config["POSTS_PER_PAGE"] == 25


def test_the_deployment_config_reads_dotenv_and_the_environment(monkeypatch, tmp_path):
    for name in LEAKY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MAIL_SERVER=smtp.dotenv.example\n", encoding="utf-8")
    monkeypatch.setenv("POSTS_PER_PAGE", "3")
    settings = Config(tmp_path)
    assert (settings.MAIL_SERVER, settings.POSTS_PER_PAGE) == ("smtp.dotenv.example", 3)


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
    assert identicon_svg(1) == identicon_svg(1)
    assert identicon_svg(1) != identicon_svg(2)
    assert identicon_svg(1).startswith("<svg")


def _hue_distance(a: int, b: int) -> int:
    return min((a - b) % 360, (b - a) % 360)


def test_identicons_of_the_first_users_have_clearly_different_hues():
    """The demo's susan, miguel and ana (ids 1-3) were two near-identical olives once."""
    hues = [identicon_hue(user_id) for user_id in range(1, 6)]
    for i, first in enumerate(hues):
        for second in hues[i + 1 :]:
            assert _hue_distance(first, second) >= 30, hues
    for user_id in range(1, 200):
        assert _hue_distance(identicon_hue(user_id), identicon_hue(user_id + 1)) >= 90


@pytest.fixture
def production_environment(monkeypatch, tmp_path):
    """No debug flag, a real secret key, no .env: what a production start sees."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "a real secret")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_app_refuses_to_start_without_a_public_address(production_environment):
    with pytest.raises(SystemExit) as exit_info:
        create_app(Config(production_environment))
    message = str(exit_info.value)
    assert "BASE_URL" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "base_url", ["microblog.example.com", "ftp://example.com", "https://", "https://x.org/?a=1"]
)
def test_app_refuses_to_start_with_a_public_address_that_is_not_one(
    production_environment, monkeypatch, base_url
):
    monkeypatch.setenv("BASE_URL", base_url)
    with pytest.raises(SystemExit) as exit_info:
        create_app(Config(production_environment))
    message = str(exit_info.value)
    assert "BASE_URL" in message and repr(base_url) in message
    assert "\n" not in message


def test_the_public_address_sets_the_trusted_hosts(production_environment, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://Microblog.example.com/")
    monkeypatch.setenv("TRUSTED_HOSTS", "www.microblog.example.com, ")
    app = create_app(Config(production_environment))
    assert app.config["BASE_URL"] == "https://microblog.example.com"
    assert app.config["TRUSTED_HOSTS"] == ["microblog.example.com", "www.microblog.example.com"]


def test_public_urls_are_built_on_the_public_address_even_without_a_request():
    app = create_app(configs.TestConfig(BASE_URL="https://example.com/microblog/"))
    with app.app_context():
        from microblog.site_url import public_url

        assert public_url("auth.login", next="/x") == (
            "https://example.com/microblog/auth/login?next=/x"
        )
    with app.test_request_context("/", base_url="http://localhost:8000/other"):
        assert public_url("main.index") == "https://example.com/microblog/"
