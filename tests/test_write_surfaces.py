"""Every write surface, for every role, in and out of scope: one table that decides who may write what.

The surfaces are not listed by hand. They come from the API router (every viewset that writes), the admin
registry (every ModelAdmin of the app: add, change, delete, each action, each inline), the import registry
(every sheet kind) and the workflow's transition table (every step). A surface added later is walked by
these tests without anyone adding it here; one this file cannot build data for fails loudly until it can.

The expectation is the rule itself, written once below from the roles' definition (`setup_roles`) and the
scopes the users are given: a write is allowed when the role holds the permission and the record's cluster
is in the role's scope (national roles reach every cluster). Every refusal must leave the database as it was.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from clusters import scoping
from clusters.api.urls import router
from clusters.api.views import ReadWriteViewSet
from clusters.choices import EvaluationState, EvaluationType
from clusters.models import (
    Characteristic,
    Cluster,
    DimensionScore,
    Enterprise,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    MeasureCategory,
    Province,
    Source,
    StaffScope,
    Target,
)
from clusters.services import evaluations as workflow
from clusters.sheets.registry import KINDS
from clusters.sheets.services import run_import
from clusters.sheets.writers import export_bytes

from .evaluation_helpers import make_scheme

pytestmark = pytest.mark.django_db

SHENZHEN, SHANGHAI, NANJING = "shenzhen-ict", "shanghai-ic", "nanjing-power-equipment"
CLUSTERS = (SHENZHEN, SHANGHAI, NANJING)
GUANGDONG, JIANGSU = "440000", "320000"

# Each role, the group it is given and the scope it is assigned (None: a national role, no scope row).
ROLES = {
    "national": (scoping.NATIONAL_ADMIN_GROUP, None),
    "province": (scoping.PROVINCE_EDITOR_GROUP, {"provinces": [GUANGDONG]}),
    "cluster": (scoping.CLUSTER_EDITOR_GROUP, {"clusters": [SHANGHAI]}),
    "reviewer": (scoping.REVIEWER_GROUP, {"provinces": [JIANGSU]}),
    "readonly": (scoping.READ_ONLY_GROUP, None),
    "unassigned": (scoping.PROVINCE_EDITOR_GROUP, {}),
}


# (role, cluster) pairs: one cluster in the role's scope and one out of it (a national role has no outside;
# an unassigned editor no inside).
CASES = [
    ("national", SHANGHAI),
    ("readonly", SHANGHAI),
    ("province", SHENZHEN),
    ("province", SHANGHAI),
    ("cluster", SHANGHAI),
    ("cluster", SHENZHEN),
    ("reviewer", NANJING),
    ("reviewer", SHENZHEN),
    ("unassigned", SHENZHEN),
]


def in_scope(role, slug):
    """The scope rule as the roles define it: whose records is this cluster's?"""
    _group, scope = ROLES[role]
    if scope is None:
        return True
    cluster = Cluster.objects.get(slug=slug)
    provinces = {city.province_id for city in cluster.cities.all()}
    return slug in scope.get("clusters", []) or bool(provinces & set(scope.get("provinces", [])))


def allowed(user, model, action, slug=None):
    holds = user.has_perm(f"clusters.{action}_{model._meta.model_name}")
    scoped = scoping.cluster_path(model) is not None
    return holds and (not scoped or slug is None or in_scope(user.username, slug))


@pytest.fixture
def users(django_user_model):
    call_command("setup_roles", verbosity=0)
    made = {}
    for role, (group, scope) in ROLES.items():
        user = django_user_model.objects.create_user(role, password="pw-for-tests-only-1", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if scope is not None:
            row = StaffScope.objects.create(user=user)
            row.provinces.set(Province.objects.filter(code__in=scope.get("provinces", [])))
            row.clusters.set(Cluster.objects.filter(slug__in=scope.get("clusters", [])))
        made[role] = django_user_model.objects.get(pk=user.pk)
    made["boss"] = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only-1")
    return made


def fresh(user):
    """A new instance of the user: permission and scope caches start empty, as on a new request."""
    return type(user).objects.get(pk=user.pk)


# Records to write, one builder per model with a cluster ------------------------------------------------

YEAR = 2046  # after anything real, so a new record never collides with the shipped data


def _source():
    return Source.objects.get(code="seed-004")


def _measure(cluster):
    return Measure.objects.create(
        cluster=cluster, category=MeasureCategory.objects.first(), title="表内测试举措", source=_source()
    )


def _target(cluster):
    return Target.objects.create(
        cluster=cluster,
        indicator=Indicator.objects.get(code="output-value"),
        target_value=9,
        target_year=YEAR,
        source=_source(),
    )


def _value(cluster):
    return IndicatorValue.objects.create(
        cluster=cluster,
        indicator=Indicator.objects.get(code="output-value"),
        period=str(YEAR),
        value=7,
        source=_source(),
    )


def _lead(cluster):
    enterprise, _ = Enterprise.objects.get_or_create(name="表内测试企业")
    return LeadEnterprise.objects.create(cluster=cluster, enterprise=enterprise, source=_source())


def _characteristic(cluster):
    return Characteristic.objects.create(cluster=cluster, category="other", text="表内测试特征", source=_source())


def _evaluation(cluster, state=EvaluationState.DRAFT, boss=None, period=YEAR):
    record = EvaluationRecord.objects.create(
        cluster=cluster,
        scheme=_scheme(),
        period=str(period),
        evaluation_type=EvaluationType.REVIEW,
        evaluating_body="表内测试机构",
        narrative="表内测试",
    )
    workflow.set_scores(record, dict.fromkeys(record.scheme.dimensions.all(), Decimal(80)))
    steps = {
        EvaluationState.SUBMITTED: ["submit"],
        EvaluationState.APPROVED: ["submit", "approve"],
        EvaluationState.PUBLISHED: ["submit", "approve", "publish"],
    }.get(state, [])
    for step in steps:  # the boss submits, a second boss reviews: separation of duties holds
        workflow.transition(step, record, boss if step == "submit" else _second_boss(boss))
    record.refresh_from_db()
    return record


def _second_boss(boss):
    return type(boss).objects.get_or_create(username="boss-2", defaults={"is_staff": True, "is_superuser": True})[0]


def _score(cluster):
    return _evaluation(cluster).scores.first()


def _scheme():
    from clusters.models import EvaluationScheme

    return EvaluationScheme.objects.filter(code="write-table").first() or make_scheme(code="write-table")


@dataclass
class Spec:
    make: object  # cluster -> a stored record of the model
    text: str  # a text field a change edits
    new: dict  # field values that make a copy a new record (keys as the API writes them)


SPECS = {
    Cluster: Spec(
        lambda c: c,
        "summary",
        {"name": "表内测试新集群", "short_name": "表内测试新集群", "slug": "", "rank_in_batch": None},
    ),
    Measure: Spec(_measure, "description", {"title": "表内测试新举措"}),
    Target: Spec(_target, "original_text", {"year": YEAR + 1}),
    IndicatorValue: Spec(_value, "original_text", {"period": str(YEAR + 1)}),
    # A scored record's grade follows from its total: a copy must not type one.
    EvaluationRecord: Spec(_evaluation, "narrative", {"period": str(YEAR + 1), "grade": ""}),
    LeadEnterprise: Spec(_lead, "note", {}),
    Characteristic: Spec(_characteristic, "text", {"category": "innovation"}),
    DimensionScore: Spec(_score, "score", {}),
}


def record_for(model, slug):
    cluster = Cluster.objects.get(slug=slug)
    return SPECS[model].make(cluster)


def snapshot(model):
    return sorted(
        model.objects.values_list(*[f.attname for f in model._meta.concrete_fields if f.name != "updated_at"])
    )


# The API: every viewset that writes, from the router ---------------------------------------------------

WRITE_VIEWSETS = [
    (prefix, viewset) for prefix, viewset, _basename in router.registry if issubclass(viewset, ReadWriteViewSet)
]


def test_every_write_viewset_has_a_builder():
    models = {viewset.write_serializer_class.Meta.model for _prefix, viewset in WRITE_VIEWSETS}
    assert models <= set(SPECS), f"add a Spec for {models - set(SPECS)}"
    assert len(WRITE_VIEWSETS) >= 5


def api_body(viewset, instance, **changes):
    body = dict(viewset.write_serializer_class(instance).data)
    body.update(changes)
    return body


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize(("prefix", "viewset"), WRITE_VIEWSETS, ids=[p for p, _v in WRITE_VIEWSETS])
def test_api_writes(users, role, slug, prefix, viewset):
    cache.clear()  # throttle counters
    model = viewset.write_serializer_class.Meta.model
    spec = SPECS[model]
    user = fresh(users[role])
    api = APIClient()
    api.force_authenticate(user)
    record = record_for(model, slug)
    lookup = getattr(record, viewset.lookup_field or "pk")

    # create: a copy of the record on the same cluster, made new by the spec's fields
    body = api_body(viewset, record, **spec.new)
    if model is Cluster:
        body["sources"] = []
    before = snapshot(model)
    response = api.post(f"/api/{prefix}/", body, format="json")
    expected = allowed(user, model, "add", slug)
    assert (response.status_code == 201) == expected, (response.status_code, response.content)
    if not expected:
        assert response.status_code in (400, 403)
        assert snapshot(model) == before

    # change: one text field of the stored record
    before = snapshot(model)
    response = api.patch(f"/api/{prefix}/{lookup}/", {spec.text: "表内测试修改"}, format="json")
    expected = allowed(user, model, "change", slug)
    assert (response.status_code == 200) == expected, (response.status_code, response.content)
    if not expected:
        assert response.status_code == 403 and snapshot(model) == before

    # delete
    response = api.delete(f"/api/{prefix}/{lookup}/")
    expected = allowed(user, model, "delete", slug)
    assert (response.status_code in (204, 409)) == expected, (response.status_code, response.content)
    if not expected:
        assert response.status_code == 403 and model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", ["province", "cluster", "unassigned"])
def test_api_cannot_move_a_record_to_a_cluster_out_of_scope(users, role):
    """Changing a record's cluster is a write on the new cluster too."""
    user = fresh(users[role])
    api = APIClient()
    api.force_authenticate(user)
    mine = next((s for s in CLUSTERS if in_scope(role, s)), None)
    theirs = next(s for s in CLUSTERS if not in_scope(role, s))
    if mine is None:
        return
    value = record_for(IndicatorValue, mine)
    response = api.patch(f"/api/indicator-values/{value.pk}/", {"cluster": theirs}, format="json")
    assert response.status_code == 400 and response.json() == {"cluster": [str(scoping.OUT_OF_SCOPE)]}
    value.refresh_from_db()
    assert value.cluster.slug == mine


# The admin: every ModelAdmin of the app, from the registry ---------------------------------------------

APP_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "clusters"
    ),
    key=lambda item: item[0]._meta.model_name,
)
SCOPED_ADMINS = [(m, a) for m, a in APP_ADMINS if scoping.cluster_path(m) is not None]
REFERENCE_ADMINS = [(m, a) for m, a in APP_ADMINS if scoping.cluster_path(m) is None]


def url(model, view, *args):
    return reverse(f"admin:clusters_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """The POST body the change page would send as it stands: the form's fields and every inline's rows."""
    data = {}

    def add(field):
        value = field.value()
        if value is None or value is False:
            return
        if value is True:
            data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)

    for field in response.context["adminform"].form:
        add(field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = str(field.value())
        for form in formset.forms:
            for field in form:
                add(field)
    return data


def test_every_scoped_admin_has_a_builder():
    writable = {m for m, a in SCOPED_ADMINS if a.has_add_permission(_req(_superuser())) or a.inlines}
    assert writable <= set(SPECS), f"add a Spec for {writable - set(SPECS)}"
    inline_models = {i.model for _m, a in SCOPED_ADMINS for i in a.inlines}
    assert inline_models <= set(SPECS), f"add a Spec for {inline_models - set(SPECS)}"


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model()(username="probe", is_staff=True, is_superuser=True, is_active=True)


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize(
    ("model", "model_admin"),
    [(m, a) for m, a in SCOPED_ADMINS if m in SPECS],
    ids=[m._meta.model_name for m, _a in SCOPED_ADMINS if m in SPECS],
)
def test_admin_add_change_delete(client, users, role, slug, model, model_admin):
    spec = SPECS[model]
    user = fresh(users[role])
    record = record_for(model, slug)
    client.force_login(users["boss"])
    data = form_data(client.get(url(model, "change", record.pk)))
    client.force_login(user)

    # change one text field (and nothing else)
    before = snapshot(model)
    body = {**data, spec.text: "91" if spec.text == "score" else "表内测试修改"}
    response = client.post(url(model, "change", record.pk), body)
    if allowed(user, model, "change", slug):
        assert response.status_code == 302, _errors(response)
    else:
        assert response.status_code == 403 and snapshot(model) == before

    # delete
    response = client.post(url(model, "delete", record.pk), {"post": "yes"})
    if allowed(user, model, "delete", slug):
        assert response.status_code == 302 and not model.objects.filter(pk=record.pk).exists()
    else:
        assert response.status_code == 403 and model.objects.filter(pk=record.pk).exists()

    # add: the record as it was, made new by the spec (or re-added after its deletion), without inline rows
    body = {**data, **_admin_new(spec)}
    for key in [k for k in body if k.endswith("-TOTAL_FORMS") or k.endswith("-INITIAL_FORMS")]:
        body[key] = "0"
    before = snapshot(model)
    response = client.post(url(model, "add"), body)
    if allowed(user, model, "add", slug):
        assert response.status_code == 302, _errors(response)
    else:
        assert response.status_code in (200, 403) and snapshot(model) == before
        if response.status_code == 200:
            assert _errors(response), "refused without saying why"


def _admin_new(spec):
    """The spec's new values as the admin form names them (the API calls a target's year `year`)."""
    renames = {"year": "target_year"}
    return {renames.get(k, k): "" if v is None else str(v) for k, v in spec.new.items()}


def _errors(response):
    context = response.context or {}
    form = context.get("adminform")
    errors = [form.form.errors] if form else []
    errors += [fs.formset.errors for fs in context.get("inline_admin_formsets", [])]
    return [e for e in errors if e]


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize(
    ("model", "inline"),
    [(m, i) for m, a in SCOPED_ADMINS for i in a.inlines if i.model in SPECS],
    ids=[
        f"{m._meta.model_name}-{i.model._meta.model_name}"
        for m, a in SCOPED_ADMINS
        for i in a.inlines
        if i.model in SPECS
    ],
)
def test_admin_inline_rows(client, users, role, slug, model, inline):
    """An inline row changed on its parent's page obeys the same rule as the row's own admin."""
    user = fresh(users[role])
    parent = record_for(model, slug)
    fk = inline_fk(inline, model)
    row = inline.model.objects.filter(**{fk: parent}).first() or SPECS[inline.model].make(parent)
    client.force_login(users["boss"])
    page = client.get(url(model, "change", parent.pk))
    data = form_data(page)
    formset = next(f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is inline.model)
    form = next(f for f in formset.forms if f.instance.pk == row.pk)
    text = SPECS[inline.model].text
    data[form[text].html_name] = "92" if text == "score" else "表内测试行修改"
    client.force_login(user)
    before = snapshot(inline.model)
    response = client.post(url(model, "change", parent.pk), data)
    may = allowed(user, model, "change", slug) and allowed(user, inline.model, "change", slug)
    if may:
        assert response.status_code == 302, _errors(response)
        assert snapshot(inline.model) != before
    else:
        assert snapshot(inline.model) == before


def inline_fk(inline, parent_model):
    return next(f.name for f in inline.model._meta.concrete_fields if f.many_to_one and f.related_model is parent_model)


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize(("model", "model_admin"), SCOPED_ADMINS, ids=[m._meta.model_name for m, _a in SCOPED_ADMINS])
def test_admin_actions(client, users, role, slug, model, model_admin):
    """Every change-list action of a scoped admin, on a record in and out of the role's scope."""
    user = fresh(users[role])
    cluster = Cluster.objects.get(slug=slug)
    for period, name in enumerate(model_admin.get_actions(_req(users["boss"])), start=YEAR + 10):
        client.force_login(user)
        if name == "delete_selected":
            record = record_for(model, slug)
            client.post(url(model, "changelist"), {"action": name, "_selected_action": [record.pk], "post": "yes"})
            gone = not model.objects.filter(pk=record.pk).exists()
            assert gone == allowed(user, model, "delete", slug), name
        elif name.removesuffix("_selected") in workflow.TRANSITIONS:
            step = workflow.TRANSITIONS[name.removesuffix("_selected")]
            record = _evaluation(cluster, step.sources[0], users["boss"], period=period)
            client.post(url(model, "changelist"), {"action": name, "_selected_action": [record.pk]})
            record.refresh_from_db()
            may = user.has_perm(step.permission) and in_scope(role, slug)
            assert (record.state == step.target) == may, (name, record.state)
        else:
            pytest.fail(f"{model.__name__} action {name!r} is not in this table: say who may run it")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("model", "model_admin"), REFERENCE_ADMINS, ids=[m._meta.model_name for m, _a in REFERENCE_ADMINS]
)
def test_admin_reference_data_follows_model_permissions(client, users, role, model, model_admin):
    """Reference tables have no scope: their pages open exactly for the roles holding the permission."""
    user = fresh(users[role])
    name = model._meta.model_name
    audit_log = model_admin.has_add_permission.__qualname__.startswith("ReadOnlyAdminMixin")
    staff_data = model is StaffScope and not user.has_perm("auth.view_user")
    client.force_login(user)
    may = {
        action: user.has_perm(f"clusters.{action}_{name}") and not staff_data and not (audit_log and action != "view")
        for action in ("add", "change", "delete", "view")
    }
    assert (client.get(url(model, "add")).status_code == 200) == may["add"]
    obj = model._default_manager.first()
    if obj is None:
        return
    page = client.get(url(model, "change", obj.pk))
    assert (page.status_code == 200) == ((may["view"] or may["change"]) and not staff_data)
    if page.status_code == 200:
        assert (b'name="_save"' in page.content) == may["change"]
    assert (client.get(url(model, "delete", obj.pk)).status_code == 200) == may["delete"]


def _req(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


# Imports: every sheet kind ------------------------------------------------------------------------------

KIND_MODELS = {
    "clusters": Cluster,
    "measures": Measure,
    "targets": Target,
    "indicator-values": IndicatorValue,
    "evaluations": EvaluationRecord,
}


def test_every_import_kind_is_in_the_table():
    assert set(KINDS) == set(KIND_MODELS)


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_imports(users, role, slug, kind):
    """A row restoring a record as exported: written only when the role may write that cluster's records."""
    model = KIND_MODELS[kind]
    user = fresh(users[role])
    record = record_for(model, slug)
    exported = export_bytes(kind, model.objects.filter(pk=record.pk), "csv")
    field = SPECS[model].text
    model.objects.filter(pk=record.pk).update(**{field: "导入前被改动"})
    before = snapshot(model)
    result = run_import(kind, exported, file_name="表内测试.csv", user=user)
    action = "change"
    may = allowed(user, model, action, slug) and (model is Cluster or allowed(user, model, "add", slug))
    assert result.ok == may, [str(e) for e in result.errors]
    record.refresh_from_db()
    if may:
        assert getattr(record, field) != "导入前被改动"
    else:
        assert snapshot(model) == before
        assert any(e.row for e in result.errors), "a refused row names its row"


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


# The workflow: every step of the transition table, through the admin's buttons ------------------------


@pytest.mark.parametrize(("role", "slug"), CASES)
@pytest.mark.parametrize("step", workflow.TRANSITIONS)
def test_workflow_steps(client, users, role, slug, step):
    transition = workflow.TRANSITIONS[step]
    record = _evaluation(Cluster.objects.get(slug=slug), transition.sources[0], users["boss"])
    user = fresh(users[role])
    client.force_login(user)
    response = client.post(
        reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, step]), {"note": "表内测试"}
    )
    may = user.has_perm(transition.permission) and in_scope(role, slug)
    if step == "revise":
        assert EvaluationRecord.objects.filter(supersedes=record).exists() == may
    else:
        record.refresh_from_db()
        assert (record.state == transition.target) == may, (response.status_code, record.state)
    if not may:
        assert response.status_code in (302, 403)
