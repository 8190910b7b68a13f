from django.contrib import admin
from django.urls import include, path

from trustops.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("workforce/", include("trustops.workforce.planning_urls")),
    path("", include("trustops.console.urls")),
]
