from django.contrib import admin
from django.urls import include, path

from portal.health import healthz

admin.site.site_header = "先进制造业集群管理后台"
admin.site.site_title = "集群门户管理"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("clusters.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("clusters.urls")),
]
