from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = True
router.register("fields", views.FieldViewSet, basename="field")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("cities", views.CityViewSet, basename="city")
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("targets", views.TargetViewSet, basename="target")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")

urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), so no inline script is needed;
    # its bundle draws icons from data: URIs, which only this page may load.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")
        ),
        name="docs",
    ),
    *router.urls,
]
