"""Refuse a URL holding a NUL byte, in one place rather than in every filter and lookup.

PostgreSQL cannot store or compare text holding NUL: `?province=%00` reached the admin's province filter
and psycopg raised DataError, a 500. No legitimate link carries one. A parameter holding NUL is a 400
naming the parameter; a path holding NUL names nothing that exists, a 404. Under /api/ the answer is
JSON in the shapes the API documents for 400 and 404.
"""

from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

NUL = "\x00"


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if NUL in request.path:
            if api:
                return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
            raise Http404("NUL byte in the path")
        bad = [key for key, values in request.GET.lists() if NUL in key or any(NUL in value for value in values)]
        if bad:
            if api:
                return JsonResponse({key: [_("不能含有 NUL 字符（%00）。")] for key in bad}, status=400)
            raise BadRequest(f"NUL byte in the query parameters {bad!r}")
        return self.get_response(request)
