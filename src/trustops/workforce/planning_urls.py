"""The workforce planning console: staffing planner, requirements, training, improvement plans."""
from django.urls import path

from trustops.workforce.pages import people, planning

app_name = "workforce_planning"

urlpatterns = [
    path("", planning.home, name="home"),
    path("planner/", planning.planner, name="planner"),
    path("planner/forecast", planning.run_forecast, name="run_forecast"),
    path("planner/plan", planning.build_plan, name="build_plan"),
    path("planner/allocate", planning.allocate, name="allocate"),
    path("requirements/", people.requirement_list, name="requirements"),
    path("requirements/file", people.file_requirement, name="file_requirement"),
    path("requirements/<int:requirement_id>/decide", people.decide_requirement, name="decide_requirement"),
    path("training/", people.training_page, name="training"),
    path("training/manage", people.training_action, name="training_action"),
    path("training/quiz/<int:quiz_id>/", people.quiz_page, name="quiz"),
    path("improvement/", people.improvement_page, name="improvement"),
    path("improvement/act", people.improvement_action, name="improvement_action"),
]
