"""The support desk's API: one router mounting its parts'."""
from ninja import Router

from trustops.support.engineering.api import router as engineering
from trustops.support.escalations.api import router as escalations
from trustops.support.incidents.api import router as incidents
from trustops.support.kb.api import router as kb
from trustops.support.reports.api import router as reports
from trustops.support.sla.api import router as sla
from trustops.support.tickets.api import router as tickets

router = Router()
for part in (tickets, kb, engineering, incidents, reports, sla, escalations):
    router.add_router("", part)
