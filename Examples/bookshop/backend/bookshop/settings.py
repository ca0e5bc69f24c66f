"""Settings of the bookshop backend: a development setup (SQLite, runserver) that the tutorial,
the end-to-end test (Scripts/bookshop-e2e.sh) and the benchmark (Benchmarks/bookshop) share."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# A development key: this project is an example, never deployed as it is.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bookshop-example-not-secret")
DEBUG = os.environ.get("BOOKSHOP_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "mizan_django",
    "shop",
]

MIDDLEWARE = [
    "shop.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shop.auth.BearerTokenMiddleware",
]

ROOT_URLCONF = "bookshop.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}]
WSGI_APPLICATION = "bookshop.wsgi.application"

# BOOKSHOP_DB lets the e2e test and the benchmark use a fresh database of their own.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BOOKSHOP_DB", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
AUTH_USER_MODEL = "shop.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django's session cookie, `sessionid`, is also what `mizan dev` reads by default for user and
# session caches (--user-credential cookie:sessionid, --session-cookie sessionid).
SESSION_COOKIE_NAME = "sessionid"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# One line per request served ("METHOD /path?query"), appended, when set: the e2e test and the
# benchmark count what reached the backend (GET /_debug/requests reads it back).
REQUEST_LOG = os.environ.get("BOOKSHOP_REQUEST_LOG")

LOGGING = {"version": 1, "disable_existing_loggers": False,
           "loggers": {"django.server": {"level": os.environ.get("BOOKSHOP_SERVER_LOG", "INFO")}}}

MIZAN = {
    "project": "bookshop",
    "doc": "Bookshop API: catalogue, search, cart and orders.",
    "clients": ["shop.views"],
    "types": "shop.api_types",
    "output": BASE_DIR.parent / "mizan-schema.json",
    "schema_url": "../../schema/schema-export.v1.json",
}
