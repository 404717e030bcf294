"""URLs of the test SensorThings server: the v1.1 service under ``/sensorthings/``."""

from django.urls import include, path

urlpatterns = [path("sensorthings/", include("sensorthings.versions.v1_1.urls"))]
