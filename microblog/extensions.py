"""Flask extensions, ours (post_cards) among them, created unbound so that create_app() can
bind them to any app."""

import warnings

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from microblog.cards import PostCards


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same
    way on SQLite, PostgreSQL and MariaDB."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel(configure_jinja=False)
htmx = Htmx()
# Counts per client address unless a limit says otherwise (see microblog.ratelimits). When its
# storage (Redis) fails, it counts in memory; when even that fails, it lets requests through.
limiter = Limiter(
    key_func=get_remote_address,
    in_memory_fallback_enabled=True,
    swallow_errors=True,
    headers_enabled=False,
    fail_on_first_breach=True,
    key_prefix="microblog",
)
# Rendered post cards and the actions they offer (microblog.cards).
post_cards = PostCards()
with warnings.catch_warnings():
    # flask-marshmallow (APIFairy's dependency) warns that its optional SQLAlchemy integration
    # needs marshmallow-sqlalchemy; the API builds its JSON itself and does not use it.
    warnings.filterwarnings("ignore", "Flask-SQLAlchemy integration requires", UserWarning)
    from apifairy import APIFairy

# Validates the API's input and writes its OpenAPI document from the same marshmallow schemas.
apifairy = APIFairy()
