"""microblog: a Jinja-free hypermedia microblogging site.

`create_app()` is the one place that knows every part of the site: it imports them when it
runs, so importing any module of the package (a model, the API's schemas, a component) loads
only what that module needs, and no module imports this one back."""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | None = None) -> Flask:
    """Build the application; `config` is a Config instance (default: from the environment)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from microblog import cli, errors, logs, outage, presence, ratelimits, security, site_url
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
    from microblog.models.user import User
    from microblog.services import search, tasks, translation

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
    site_url.configure(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Believe the last `proxies` values of each X-Forwarded-* header, which our own proxies
        # set, so request.remote_addr, url_for(_external=True) and secure cookies are right.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    logs.init_app(app)

    db.init_app(app)
    outage.init_app(app)
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
    post_cards.init_app(app, find_usernames=User.usernames_by_key)
    security.init_app(app)
    errors.init_app(app)
    tasks.init_app(app)

    _register_blueprints(app)
    apifairy.init_app(app)
    cli.init_app(app)

    app.before_request(presence.record_last_seen)
    app.after_request(vary_on_language)
    return app


def _register_blueprints(app: Flask) -> None:
    """Each feature's views, registered on its blueprint as their modules are imported here."""
    from microblog import api, auth, i18n, main
    from microblog.api import docs, openapi, posts, search, tokens, users  # noqa: F401
    from microblog.api import messages as api_messages  # noqa: F401
    from microblog.appearance.routes import bp as appearance_bp
    from microblog.auth import account  # noqa: F401
    from microblog.auth import routes as auth_routes  # noqa: F401
    from microblog.exports.routes import bp as exports_bp
    from microblog.extensions import csrf, post_cards
    from microblog.health import bp as health_bp
    from microblog.i18n import routes as i18n_routes  # noqa: F401
    from microblog.main import messages, people, routes  # noqa: F401
    from microblog.main import search as search_page  # noqa: F401
    from microblog.posts.routes import author_actions
    from microblog.posts.routes import bp as posts_bp
    from microblog.translate import routes as translate

    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(main.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(appearance_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(posts_bp)
    post_cards.add_action_factory(author_actions, app=app)
    app.register_blueprint(translate.bp)
    post_cards.add_action_factory(translate.translate_action, app=app)
    app.register_blueprint(api.bp, url_prefix=api.URL_PREFIX)
    app.register_blueprint(health_bp)
    # API clients authenticate with tokens in a header, never with the session cookie.
    csrf.exempt(api.bp)
