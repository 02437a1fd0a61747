"""microblog: a Jinja-free hypermedia microblogging site."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from microblog import errors, logs, ratelimits, security
from microblog.config import DEV_SECRET_KEY, TRANSLATIONS, Config
from microblog.extensions import (
    apifairy,
    babel,
    csrf,
    db,
    htmx,
    login_manager,
    migrate,
    post_cards,
)
from microblog.locales import select_locale, select_timezone, vary_on_language
from microblog.models.types import utcnow
from microblog.presence import is_quiet_request
from microblog.services import search, tasks, translation
from microblog.site_url import LOCAL_BASE_URL, BaseUrlError, base_host, parse_base_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | None = None) -> Flask:
    """Build the application; `config` is a Config instance (default: from the environment)."""
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config or Config(app.instance_path))
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and not (app.debug or app.testing):
        sys.exit(
            "microblog: refusing to start with the development SECRET_KEY; "
            "set SECRET_KEY in the environment or in .env (make run writes one for you)."
        )
    if problem := translation.config_problem(app.config):
        sys.exit(f"microblog: {problem}.")
    _configure_public_address(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Believe the last `proxies` values of each X-Forwarded-* header, which our own proxies
        # set, so request.remote_addr, url_for(_external=True) and secure cookies are right.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    logs.init_app(app)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_name=search.include_in_migrations,
    )
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(TRANSLATIONS),
    )
    login_manager.init_app(app)
    ratelimits.init_app(app)
    post_cards.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    tasks.init_app(app)

    from microblog import api, auth, cli, health, i18n, main
    from microblog.appearance.routes import bp as appearance_bp
    from microblog.exports.routes import bp as exports_bp
    from microblog.translate import routes as translate

    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(main.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(appearance_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(translate.bp)
    post_cards.add_action_factory(translate.translate_action, app=app)
    app.register_blueprint(api.bp, url_prefix=api.URL_PREFIX)
    app.register_blueprint(health.bp)
    # API clients authenticate with tokens in a header, never with the session cookie.
    csrf.exempt(api.bp)
    apifairy.init_app(app)
    cli.init_app(app)

    app.before_request(_record_last_seen)
    app.after_request(vary_on_language)
    return app


def _configure_public_address(app: Flask) -> None:
    """Check BASE_URL and answer only to its host (and TRUSTED_HOSTS) outside debug mode."""
    base_url = app.config.get("BASE_URL")
    if not base_url:
        if not (app.debug or app.testing):
            sys.exit(
                "microblog: refusing to start without BASE_URL, the site's public address that "
                "links in mails point to (e.g. https://microblog.example.com); set it in the "
                "environment or in .env (make run sets http://127.0.0.1:5000)."
            )
        base_url = LOCAL_BASE_URL
    try:
        app.config["BASE_URL"] = parse_base_url(base_url)
    except BaseUrlError as error:
        sys.exit(f"microblog: refusing to start: {error}.")
    if not app.debug:
        # Werkzeug compares host names without their port.
        hosts = [base_host(app.config["BASE_URL"]), *app.config.get("EXTRA_TRUSTED_HOSTS", [])]
        app.config["TRUSTED_HOSTS"] = hosts


def _record_last_seen() -> None:
    """Note that the user was here, writing at most once per LAST_SEEN_INTERVAL_SECONDS."""
    if not current_user.is_authenticated or is_quiet_request():
        return
    from flask import current_app

    interval = timedelta(seconds=current_app.config["LAST_SEEN_INTERVAL_SECONDS"])
    if current_user.touch_last_seen(utcnow(), interval):
        db.session.commit()
