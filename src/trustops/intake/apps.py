from django.apps import AppConfig

from trustops.review import hooks


class IntakeConfig(AppConfig):
    name = "trustops.intake"
    label = "intake"

    def ready(self):
        from trustops.intake.notices import CaseNoticesProvider  # its models can load only now

        hooks.notices = CaseNoticesProvider()
