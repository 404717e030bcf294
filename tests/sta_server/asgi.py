"""ASGI entry point of the test SensorThings server (``uvicorn tests.sta_server.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sta_server.settings")
application = get_asgi_application()
