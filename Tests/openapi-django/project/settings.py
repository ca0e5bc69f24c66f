"""Settings for the OpenAPI fixture project.

It exists only to export OpenAPI documents (drf-spectacular and django-ninja) for mizan's
importer tests: an in-memory SQLite database, no migrations applied, nothing served.
"""
SECRET_KEY = "openapi-fixture-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "drf_spectacular",
    "ninja",
    "shop",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "project.urls"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MEDIA_ROOT = "/tmp/mizan-openapi-fixture-media"
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies by default; the upload actions opt into multipart/form-data themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shop (DRF + drf-spectacular)",
    "DESCRIPTION": "Fixture API for mizan's OpenAPI importer.",
    "VERSION": "1.0.0",
    # Distinct components for what a client sends (BookRequest, PatchedBookRequest) and what it
    # receives (Book): read-only fields only in the latter, write-only ones only in the former,
    # files as `format: binary` in requests.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # The two payment variants each have a one-value `kind` choice; name their enums rather
    # than let drf-spectacular resolve the collision with a hash suffix (and a warning).
    "ENUM_NAME_OVERRIDES": {
        "CardPaymentKindEnum": ["card"],
        "BankPaymentKindEnum": ["bank"],
    },
}
