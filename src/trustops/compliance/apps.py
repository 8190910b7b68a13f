from django.apps import AppConfig

from trustops.kernel import ports
from trustops.review import hooks


class ComplianceConfig(AppConfig):
    name = "trustops.compliance"
    label = "compliance"
    verbose_name = "Compliance: statements of reasons, legal clocks, retention and data subjects"

    def ready(self):
        from trustops.compliance.listener import ComplianceListener  # its models can load only now
        from trustops.compliance.suspensions.services import SuspensionPort

        hooks.register_decision_listener(ComplianceListener())
        ports.provide("compliance.suspensions", SuspensionPort())
