from django.contrib.auth import views as auth_views
from django.urls import path

from trustops.console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("queues/", views.queue_overview, name="queues"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
]
