"""The comparison page (/compare/) and its downloads: thin views over clusters.compare."""

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from clusters import compare
from clusters.compare import downloads

LIMITS = {"min_clusters": compare.MIN_CLUSTERS, "max_clusters": compare.MAX_CLUSTERS}


def _comparison(request):
    return compare.compare(compare.parse(request.GET.getlist("clusters")), request.user)


@require_safe
def compare_page(request):
    values = [value for value in request.GET.getlist("clusters") if value]
    if len(values) > 1:
        # Checkboxes send clusters=a&clusters=b; the link people share is the one-parameter comma form.
        query = urlencode({"clusters": ",".join(values)}, safe=",")
        return redirect(f"{reverse('clusters:compare')}?{query}")
    try:
        comparison = _comparison(request)
    except compare.CompareError as error:
        return render(request, "clusters/compare.html", {"error": str(error), **LIMITS}, status=400)
    return render(
        request, "clusters/compare.html", {"comparison": comparison, "citations": comparison.citations, **LIMITS}
    )


def _download(request, writer):
    try:
        comparison = _comparison(request)
    except compare.CompareError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if not comparison.is_complete:
        return HttpResponseBadRequest(compare.too_few_message(), content_type="text/plain; charset=utf-8")
    return writer(comparison)


@require_safe
def export_csv(request):
    return _download(request, downloads.csv_response)


@require_safe
def export_xlsx(request):
    return _download(request, downloads.xlsx_response)
