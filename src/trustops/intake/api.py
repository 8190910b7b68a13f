from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from ninja import Router
from ninja.responses import Status

from trustops.identity.auth import scope
from trustops.intake import services
from trustops.intake.schemas import BatchOut, ReportBatchIn, ReportIn, ReportOut, SignalIn, SignalOut
from trustops.kernel.errors import PayloadTooLarge
from trustops.kernel.inputs import validate_item_by_item

router = Router(tags=["intake"])


@router.post("/reports", response={200: ReportOut, 201: ReportOut}, auth=scope("reports:write"),
             summary="Send one report (idempotent by key)")
def post_report(request, body: ReportIn):
    outcome = services.submit_reports(submitter=request.auth, items=[body])[0]
    if outcome.error:
        raise outcome.error
    return Status(outcome.status, outcome.body)


validate_item_by_item("report_batch", field="reports")


@router.post("/reports/batch", response=BatchOut, auth=scope("reports:write"), url_name="report_batch",
             summary="Send 1 to 1,000 reports; each item succeeds or fails on its own")
def post_report_batch(request, body: ReportBatchIn):
    limit = settings.TRUSTOPS["INTAKE_BATCH_MAX"]
    if len(body.reports) > limit:
        raise PayloadTooLarge("batch_too_large", f"A batch holds at most {limit} reports; this one has "
                                                 f"{len(body.reports)}.", field="reports")
    outcomes = services.submit_reports(submitter=request.auth, items=body.reports)
    results = [{"index": i, "status": o.error.status if o.error else o.status,
                "result": o.body, "error": o.error.as_body()["error"] if o.error else None}
               for i, o in enumerate(outcomes)]
    # Plain data sent as it is: checking a thousand result rows against `BatchOut` again cost more than
    # upserting the batch's subjects. `BatchOut` still documents the shape, and a test holds the two together.
    return JsonResponse({"accepted": sum(o.status == 201 and not o.error for o in outcomes),
                         "replayed": sum(o.status == 200 and not o.error for o in outcomes),
                         "failed": sum(o.error is not None for o in outcomes), "results": results},
                        encoder=DjangoJSONEncoder)


@router.post("/signals", response={200: SignalOut, 201: SignalOut}, auth=scope("signals:write"),
             summary="Send an automated score; above the policy's threshold it opens or enriches a case")
def post_signal(request, body: SignalIn):
    outcome = services.submit_signal(submitter=request.auth, item=body)
    return Status(outcome.status, outcome.body)
