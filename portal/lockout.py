"""What a locked-out login sees: the admin's own page saying plainly that the account is locked.

django-axes calls this (AXES_LOCKOUT_CALLABLE) instead of rendering its English text, so the page keeps
the admin's header and speaks the user's language.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _


def locked_out(request, original_response=None, credentials=None):
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {**admin.site.each_context(request), "title": _("账户已锁定"), "minutes": minutes}
    # Rendered now: AxesMiddleware swaps it in after the view, too late for a TemplateResponse.
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
