"""Thin views over the shared selectors and FilterSets: the pages and the API read the same querysets.

Reads are public (anonymous users see public clusters and published evaluations only); writes need
staff with the model's add/change/delete permission (see `permissions.py`). Every read answers in a
fixed number of queries whatever the row count, carries an ETag computed from its body (a matching
`If-None-Match` gets 304) and a Cache-Control header (public for anonymous readers, private otherwise).
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import conditional_page
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from clusters import compare, filtersets, scoping, selectors
from clusters.models import City, Cluster, EvaluationRecord, Field, Province
from portal.caching import memoised

from . import compare_serializers
from . import serializers as read
from . import write_serializers as write


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "有其他记录引用该记录，不能删除。"
    default_code = "conflict"


class CachedReadMixin:
    """ETag on the rendered body (Django's ConditionalGetMiddleware, as a view decorator) and cache headers."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return conditional_page(super().as_view(*args, **kwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in SAFE_METHODS and response.status_code == status.HTTP_200_OK:
            if request.user.is_authenticated:
                # Staff may see drafts: never let a shared cache keep that.
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
            patch_vary_headers(response, ["Cookie", "Authorization"])
        return response


class ReadListViewSet(CachedReadMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    pass


class ReadWriteViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """Reads with the read serializers; writes validate with the write serializer and answer in the read shape.

    The role scope is decided by `clusters.scoping.check_write`: for the stored record here, in
    `get_object` (403 when it is out of scope), and for the written values in the write serializers'
    `save()` (400 naming the field), so no viewset's hook can skip it.
    """

    list_serializer_class = None
    detail_serializer_class = None
    write_serializer_class = None

    def filtered(self):
        """Whether the request gives any of the FilterSet's filters a value (``filtersets.names_a_filter``)."""
        filterset_class = getattr(self, "filterset_class", None)
        return filterset_class is None or filtersets.names_a_filter(filterset_class, self.request.query_params)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.filtered() else queryset

    def count_memo(self):
        """The list's row count is the same for every anonymous request without a filter, until the data
        changes: memoised under this name (see ``pagination``). Signed-in users may see more: never."""
        if self.request.user.is_authenticated or self.filtered():
            return None
        return f"api:count:{self.basename}"

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS:
            action = "delete" if self.request.method == "DELETE" else "change"
            with scope_errors_as_api_errors():
                scoping.check_write(self.request.user, type(obj), action, current=scoping.cluster_id_of(obj))
        return obj

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return self.write_serializer_class
        if self.action == "list":
            return self.list_serializer_class
        return self.detail_serializer_class

    # For rows that hang off a cluster: the selector that lists them for a set of clusters.
    list_selector = None

    def visible_clusters(self):
        return selectors.clusters_visible_to(self.request.user)

    def get_queryset(self):
        return self.list_selector(self.visible_clusters())

    def written_queryset(self):
        """Where a row just written is read back from for the response, whatever its visibility."""
        return self.list_selector(Cluster.objects.all())

    def read_back(self, pk):
        """The row just written, as the detail serializer reads it."""
        return self.written_queryset().get(pk=pk)

    def _written_data(self, instance):
        return self.detail_serializer_class(self.read_back(instance.pk), context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        data = self._written_data(serializer.instance)
        return Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self._written_data(serializer.instance))

    def save_kwargs(self):
        """Extra attributes a create sets (e.g. who created the record)."""
        return {}

    def perform_create(self, serializer):
        with _model_rules_as_400():
            serializer.save(**self.save_kwargs())

    def perform_update(self, serializer):
        with _model_rules_as_400():
            serializer.save()

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise Conflict() from exc
        except DjangoValidationError as exc:  # e.g. RecordLocked: a submitted or published evaluation
            raise Conflict(" ".join(exc.messages)) from exc


@contextmanager
def scope_errors_as_api_errors():
    """Django's PermissionDenied (with its reason) as DRF's 403."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


@contextmanager
def _model_rules_as_400():
    """A rule the model enforces in save() (e.g. RecordLocked) answers 400 with its message."""
    try:
        yield
    except DjangoValidationError as exc:
        raise ValidationError(as_serializer_error(exc)) from exc


def _write_schema(write_serializer, read_serializer, name):
    return {
        "create": extend_schema(
            summary=f"新建{name}（员工）", request=write_serializer, responses={201: read_serializer}
        ),
        "update": extend_schema(
            summary=f"修改{name}（员工）", request=write_serializer, responses={200: read_serializer}
        ),
        "partial_update": extend_schema(
            summary=f"部分修改{name}（员工）", request=write_serializer, responses={200: read_serializer}
        ),
        "destroy": extend_schema(summary=f"删除{name}（员工）"),
    }


# Reference lists ---------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="产业领域"))
class FieldViewSet(ReadListViewSet):
    queryset = Field.objects.order_by("order", "slug")
    serializer_class = read.FieldSerializer


@extend_schema_view(list=extend_schema(summary="省级行政区"))
class ProvinceViewSet(ReadListViewSet):
    queryset = Province.objects.order_by("code")
    serializer_class = read.ProvinceSerializer
    filterset_class = filtersets.ProvinceFilterSet


@extend_schema_view(list=extend_schema(summary="地级行政区（含直辖市）"))
class CityViewSet(ReadListViewSet):
    queryset = City.objects.select_related("province").order_by("code")
    serializer_class = read.CityWithProvinceSerializer
    filterset_class = filtersets.CityFilterSet


# Clusters ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="集群列表", description="筛选条件与集群列表页相同，另加 `search`（同 `q`）。"),
    retrieve=extend_schema(summary="集群详情"),
    **_write_schema(write.ClusterWriteSerializer, read.ClusterDetailSerializer, "集群"),
)
class ClusterViewSet(ReadWriteViewSet):
    lookup_field = "slug"
    filterset_class = filtersets.ClusterAPIFilterSet
    list_serializer_class = read.ClusterListSerializer
    detail_serializer_class = read.ClusterDetailSerializer
    write_serializer_class = write.ClusterWriteSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.cluster_detail_queryset(self.visible_clusters())
        if self.action == "list":
            return self.visible_clusters()  # read as plain rows in `list`
        return selectors.cluster_list(self.visible_clusters())

    def list(self, request, *args, **kwargs):
        """The page's clusters as ``values()`` rows and their cities as tuples (3 queries): the list shows no
        lead enterprise and needs no model instance (the prefetches built 5 per row; issue 14)."""
        if self.request.user.is_authenticated or self.filtered():
            clusters = self.filter_queryset(self.get_queryset()).values(*read.ClusterListSerializer.ROW)
        else:  # every public cluster in the default order, as the list page reads it
            ids = selectors.public_cluster_ids()
            clusters = selectors.OrderedRows(ids, Cluster.objects.values(*read.ClusterListSerializer.ROW))
        rows = read.rows_with_cities(self.paginate_queryset(clusters))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_object(self):
        if self.action != "retrieve" or self.filtered():  # filters narrow a detail's lookup, as DRF does
            cluster = super().get_object()
            return selectors.read_detail(cluster, self._evaluations()) if self.action == "retrieve" else cluster
        cluster = selectors.read_cluster(self.kwargs[self.lookup_field], self.request.user, self._evaluations())
        if cluster is None:
            raise Http404("No Cluster matches the given query.")  # what get_object_or_404 says, as before
        self.check_object_permissions(self.request, cluster)
        return cluster

    def _evaluations(self):
        """The evaluation records a detail shows: the published ones for the public (None), and what a signed-in
        user may see otherwise."""
        user = self.request.user
        return EvaluationRecord.objects.visible_to(user) if user.is_authenticated else None

    def written_queryset(self):
        return selectors.cluster_detail_queryset(Cluster.objects.all())

    def read_back(self, pk):
        return selectors.read_detail(super().read_back(pk), self._evaluations())


# Rows that belong to a cluster ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="举措"),
    retrieve=extend_schema(summary="举措详情"),
    **_write_schema(write.MeasureWriteSerializer, read.MeasureListSerializer, "举措"),
)
class MeasureViewSet(ReadWriteViewSet):
    filterset_class = filtersets.MeasureFilterSet
    list_serializer_class = detail_serializer_class = read.MeasureListSerializer
    write_serializer_class = write.MeasureWriteSerializer
    list_selector = staticmethod(selectors.measure_list)


@extend_schema_view(
    list=extend_schema(summary="目标（含进度）"),
    retrieve=extend_schema(summary="目标详情"),
    **_write_schema(write.TargetWriteSerializer, read.TargetListSerializer, "目标"),
)
class TargetViewSet(ReadWriteViewSet):
    filterset_class = filtersets.TargetFilterSet
    list_serializer_class = detail_serializer_class = read.TargetListSerializer
    write_serializer_class = write.TargetWriteSerializer
    list_selector = staticmethod(selectors.target_list)

    def get_queryset(self):
        # By cluster as stored (its id), then the model's order within a cluster: PostgreSQL walks the cluster
        # index and sorts only within a cluster. The model's order by the clusters' field and name joined and
        # sorted every visible target for each page of 50 (15.4 ms of execution at 5,004 targets, 0.5 this
        # way; issue 14). `ordering=` still sorts.
        return super().get_queryset().order_by("cluster_id", "target_year", "indicator__order")


@extend_schema_view(
    list=extend_schema(summary="指标值"),
    retrieve=extend_schema(summary="指标值详情"),
    **_write_schema(write.IndicatorValueWriteSerializer, read.IndicatorValueListSerializer, "指标值"),
)
class IndicatorValueViewSet(ReadWriteViewSet):
    filterset_class = filtersets.IndicatorValueFilterSet
    list_serializer_class = detail_serializer_class = read.IndicatorValueListSerializer
    write_serializer_class = write.IndicatorValueWriteSerializer
    list_selector = staticmethod(selectors.indicator_value_list)

    def get_queryset(self):
        # By cluster, indicator, period and scope as the unique constraint's index holds them, so a page is
        # read off the index: the model's order (the clusters' field and name, the indicators' order) joined
        # and sorted every value for each page of 50 (66 ms at 45,000 values; issue 14). `ordering=` still sorts.
        return super().get_queryset().order_by("cluster_id", "indicator_id", "period", "scope")


@extend_schema_view(
    list=extend_schema(summary="动态评估记录", description="公众只看到已发布的记录；有查看权限的员工看到全部。"),
    retrieve=extend_schema(summary="动态评估记录详情"),
    **_write_schema(write.EvaluationWriteSerializer, read.EvaluationListSerializer, "评估记录（草稿）"),
)
class EvaluationViewSet(ReadWriteViewSet):
    filterset_class = filtersets.EvaluationFilterSet
    list_serializer_class = detail_serializer_class = read.EvaluationListSerializer
    write_serializer_class = write.EvaluationWriteSerializer

    def get_queryset(self):
        # By cluster as stored (its id), newest period and revision first: the model's order by the clusters'
        # field and name joined and sorted every visible record for each page (15,000 records); by cluster id
        # PostgreSQL walks the cluster index and sorts only within a cluster. `ordering=` still sorts.
        return selectors.evaluation_list(self.request.user).order_by("cluster_id", "-period", "-revision", "-id")

    def paginate_queryset(self, queryset):
        """The page's ids first, then those records: where the database still sorts every visible record (SQLite
        picks the state index), it sorts ids, not whole joined rows."""
        ids = super().paginate_queryset(queryset.prefetch_related(None).values_list("pk", flat=True))
        if ids is None:
            return None
        # By primary key alone: the ids are already the visible ones (with the visibility filters again, SQLite
        # walks the state index instead).
        return selectors.read_records(list(ids))

    def written_queryset(self):
        return selectors.evaluation_records(EvaluationRecord.objects.all())

    def save_kwargs(self):
        return {"created_by": self.request.user}


# Stats ------------------------------------------------------------------------------------------


class StatsView(CachedReadMixin, APIView):
    @extend_schema(
        summary="总览统计",
        description="公开集群数；至少有一个公开集群的省份数与城市数；按领域、按省份的集群数。",
        responses=read.StatsSerializer,
    )
    def get(self, request):
        data = selectors.stats()
        return Response(
            read.StatsSerializer(
                {key: data[key] for key in ("clusters", "provinces", "cities", "by_field", "by_province")}
            ).data
        )


# Compare ----------------------------------------------------------------------------------------


class CompareView(CachedReadMixin, APIView):
    """The comparison table of clusters.compare: the same rows, cells and source numbers as /compare/."""

    @extend_schema(
        summary="集群比较",
        description=(
            "2 至 10 个集群并排：概况、每个指标与口径的最新值、目标进度、最新已发布评估的总分、等级与维度得分，"
            "以及编号出处。与网页 /compare/ 和下载 /compare/export.csv 是同一张表。"
        ),
        parameters=[
            OpenApiParameter(
                "clusters",
                str,
                required=True,
                description="逗号分隔的集群网址标识，按给出的顺序比较；重复的只算一次。也可重复本参数。",
                examples=[OpenApiExample("南京与上海", value="nanjing-power-equipment,shanghai-ic")],
            )
        ],
        responses={
            200: compare_serializers.ComparisonSerializer,
            400: OpenApiResponse(
                inline_serializer("CompareError", {"clusters": serializers.ListField(child=serializers.CharField())}),
                description="少于 2 个或多于 10 个集群，或有集群不存在、未公开（消息里写出是哪一个）",
            ),
        },
    )
    def get(self, request):
        try:
            comparison = compare.compare(compare.parse(request.query_params.getlist("clusters")), request.user)
        except compare.CompareError as error:
            raise ValidationError({"clusters": [str(error)]}) from error
        if not comparison.is_complete:
            raise ValidationError({"clusters": [compare.too_few_message()]})
        return Response(compare_serializers.ComparisonSerializer(comparison, context={"request": request}).data)


# Schema -----------------------------------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    # drf-spectacular's schema view, generated and rendered once per process (per data version) instead of
    # per request: the schema depends on the code, the language, the version and the format only (it is
    # public, so not on the reader); generating and rendering it took about 300 times a do-nothing view.
    # The operation's description is the view's docstring: keep drf-spectacular's, so the schema is unchanged.
    __doc__ = SpectacularAPIView.__doc__

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        renderer, media_type = request.accepted_renderer, request.accepted_media_type
        name = f"api:schema:{get_language()}:{version}:{renderer.format}:{media_type}"
        content, headers = memoised(name, lambda: self._rendered(request))
        return HttpResponse(content, headers=headers)

    def _rendered(self, request):
        """(body, headers) as drf-spectacular's own view answers."""
        response = super()._get_schema_response(request)
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        return response.content, dict(response.items())
