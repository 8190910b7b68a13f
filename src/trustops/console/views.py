from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from trustops.review.selectors import queue_overview as overview


@login_required
def home(request):
    return redirect("console:queues")


@login_required
def queue_overview(request):
    template = "console/_queue_table.html" if request.headers.get("HX-Request") else "console/queues.html"
    return render(request, template, {"queues": overview(request.user)})
