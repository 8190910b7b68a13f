from django.contrib import admin
from django.urls import include, path

from trustops.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("compliance/", include("trustops.compliance.urls")),
    path("", include("trustops.risk.urls")),
    path("", include("trustops.support.urls")),
    path("", include("trustops.merchants.urls")),
    path("", include("trustops.workforce.urls")),
    path("workforce/", include("trustops.workforce.planning_urls")),
    path("", include("trustops.console.urls")),
]
