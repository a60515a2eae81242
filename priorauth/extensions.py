"""Flask extensions, created unbound and initialised in the app factory."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
# Sign-in throttling per client address; storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)
THROTTLED_BLUEPRINTS = ("auth", "calendar_feed")  # sign-in pages (web/auth.py), calendar feed


@limiter.request_filter
def _not_throttled() -> bool:
    """Every other request skips the limiter's lookup of limits (it costs an API call more
    than its database work)."""
    return request.blueprint not in THROTTLED_BLUEPRINTS
