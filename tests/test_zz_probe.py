import json
from tests.conftest import *  # noqa
from tests import quality_month
from tests.conftest import ApiClient

def test_probe(world):
    month = quality_month.build(world)
    lead = ApiClient(month.people["lead"].token)
    r = lead.get("/api/v1/insights/monthly-quality-report", month="2025-03", format="json")
    json.dump(r.json(), open("/tmp/mqr_data.json", "w"))
    r = lead.get("/api/v1/insights/monthly-quality-report", month="2025-03", format="html")
    open("/tmp/mqr.html", "wb").write(r.content)
