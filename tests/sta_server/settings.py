"""Django settings of the test SensorThings server (SQLite in ``MIMBRIDGE_STA_DATA``)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

DATA = Path(os.environ.get("MIMBRIDGE_STA_DATA", "."))
SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "tests.sta_server.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "sensorthings.versions.v1_1",
    "sensorthings.versions.v1_1.extensions.dataarray",
    "sensorthings.versions.v1_1.backends.django",
]
MIDDLEWARE: list[str] = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA / "sta.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
}
SENSORTHINGS_V1_1_SERVICE_URL = os.environ.get("MIMBRIDGE_STA_SERVICE_URL", "http://127.0.0.1:8000/sensorthings")
# the Django backend mints UUIDv7 ids
SENSORTHINGS_V1_1_ID_TYPE = uuid.UUID
SENSORTHINGS_V1_1_BACKEND_ADAPTER = "sensorthings.versions.v1_1.backends.django.adapter.DjangoBackendAdapter"
# Server errors (with tracebacks) go to the server log that the test harness shows.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
