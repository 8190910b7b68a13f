from django.urls import path

from trustops.merchants import views

app_name = "merchants"
urlpatterns = [
    path("merchants/", views.workspace, name="workspace"),
    path("merchants/categories/", views.categories, name="categories"),
    path("merchants/m/<str:external_id>/", views.merchant_page, name="merchant"),
    path("merchants/m/<str:external_id>/<slug:action>/", views.merchant_action, name="action"),
]
