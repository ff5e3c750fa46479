from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from portal.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("clusters.api.urls")),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (API JSON, downloads): point them at the SVG.
    # The unhashed static name stays valid across deployments, so the redirect may be permanent.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg", permanent=True)),
    # Switching the display language changes nothing worth forging, and leaving the CSRF token out of
    # the switch keeps every public page free of per-visitor content, so the page cache can share it.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("clusters.urls")),
]
