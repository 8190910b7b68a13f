"""Access audit: the ledger's view events (who opened which sensitive content or personal data, when, why) made
searchable by compliance staff; and the scheduled verification of the ledger, with an alert when it fails."""
from django.db import transaction

from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.identity.services import NotificationDraft, notify_many
from trustops.ledger import services as ledger
from trustops.ledger import verification


@transaction.atomic
def scheduled_verification() -> verification.Report:
    report = verification.verify()
    ledger.record("ledger.verified", actor="ledger-verify", payload={
        "ok": report.ok, "events": report.events_checked, "blocks": report.blocks_checked,
        "problems": report.problems})
    if not report.ok:
        first = str(report.findings[0]) if report.findings else "problems found"
        recipients = User.objects.filter(is_active=True, vendor__isnull=True,
                                         role__in=[Role.COMPLIANCE_OFFICER, Role.ADMIN]).values_list("pk", flat=True)
        notify_many([NotificationDraft(recipient_id=r, kind="ledger.verification_failed",
                                       title=f"Ledger verification failed: {report.problems} problem(s)",
                                       body=first[:1000], topic="ledger") for r in recipients])
    return report
