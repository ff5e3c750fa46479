"""Refuse a URL holding a NUL byte with 400, in one place rather than in every filter.

PostgreSQL cannot store or compare text holding NUL: `?province=%00` reached the admin's province filter
and psycopg raised DataError, a 500. No legitimate link carries one.
"""

from django.core.exceptions import BadRequest


def _has_nul(request):
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            raise BadRequest("NUL byte in the URL")
        return self.get_response(request)
