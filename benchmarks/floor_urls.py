"""The site's URLs plus one minimal Django view: the framework's floor for the load test."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as site_urlpatterns


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("loadtest-floor/", floor), *site_urlpatterns]
