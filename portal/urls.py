from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
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
    # The admin's language switch (public pages switch by link). Switching changes nothing worth forging.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
]

# Public pages carry their language in the URL: Chinese unprefixed, English under /en/ (portal/locale.py).
urlpatterns += i18n_patterns(path("", include("clusters.urls")), prefix_default_language=False)
