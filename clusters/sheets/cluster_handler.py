"""The clusters sheet: a cluster is created or updated by its full name, with its cities and lead enterprises."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from clusters import scoping
from clusters.bulk import BATCH_SIZE, create_with_history, update_with_history
from clusters.choices import ClusterStatus, Tier
from clusters.models import Cluster, Enterprise, LeadEnterprise, PromotionOrganization
from clusters.slugs import pinyin_slug

from .handlers import FactHandler, chunks
from .parsing import ParseError, lookup_key, parse_choice, parse_integer, parse_url, split_values
from .results import NEW, UNCHANGED, UPDATED, Column, RowOutcome

TEXT_LIMITS = {"short_name": 100}


def _tier(value):
    return parse_choice(value, Tier)


def _status(value):
    return parse_choice(value, ClusterStatus)


def _origin_year(value):
    return parse_integer(value, 1800, 2100)


class ClusterHandler(FactHandler):
    kind = "clusters"
    model = Cluster
    sheet_names = ("集群", "clusters")
    key_column = "name"
    key_label = gettext_lazy("集群名称")
    columns = (
        Column(
            "name",
            "集群名称",
            True,
            ("集群全称", "名称", "cluster"),
            gettext_lazy("官方全称；按全称新建或更新"),
            header_en="Name",
        ),
        Column("short_name", "简称", False, ("集群简称",), "", header_en="Short name"),
        Column(
            "field",
            "领域",
            False,
            ("产业领域",),
            gettext_lazy("领域名称，例如 信息技术；新集群必填"),
            header_en="Field",
        ),
        Column("tier", "层级", False, ("级别",), gettext_lazy("国家级、省级或市级；新集群必填"), header_en="Tier"),
        Column("batch", "批次", False, (), gettext_lazy("批次名称、代码或年份"), header_en="Batch"),
        Column(
            "status",
            "状态",
            False,
            (),
            gettext_lazy("培育中、重点支持、警示或退出；留空保持原值（新集群为培育中）"),
            header_en="Status",
        ),
        Column(
            "cities",
            "城市",
            False,
            ("所在城市",),
            gettext_lazy("一个或多个地级市，用顿号分隔；名称或六位代码；新集群必填"),
            header_en="Cities",
        ),
        Column("summary", "简介", False, ("介绍",), "", header_en="Summary"),
        Column(
            "origin_year",
            "起步年份",
            False,
            ("起源年份",),
            gettext_lazy("四位年份，例如 1958"),
            header_en="Origin year",
        ),
        Column(
            "promotion_organization",
            "促进机构",
            False,
            ("集群发展促进组织", "促进组织"),
            gettext_lazy("集群发展促进组织；没有则新建"),
            header_en="Promotion organisation",
        ),
        Column(
            "lead_enterprises",
            "链主企业",
            False,
            ("enterprises",),
            gettext_lazy("用顿号分隔；没有的企业会新建"),
            header_en="Lead enterprises",
        ),
        Column("website", "网址", False, ("url",), "", header_en="Website"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_name = {lookup_key(name): pk for pk, name in Cluster.objects.values_list("pk", "name")}

    def parse(self, row):
        name = row.text("name")
        if not name:
            row.error("name", _("不能为空"))
            return None
        if len(name) > 200:
            row.error("name", _("不能超过 %(limit)s 字") % {"limit": 200})
        is_new = lookup_key(name) not in self.by_name
        fields = {}
        if row.has("short_name"):
            fields["short_name"] = row.text("short_name")
            if len(fields["short_name"]) > 100:
                row.error("short_name", _("不能超过 %(limit)s 字") % {"limit": 100})
        for column, parser in (("field", self.lookups.field), ("tier", _tier), ("origin_year", _origin_year)):
            if row.has(column):
                value = row.parse(column, parser, required=column != "origin_year")
                fields["field_id" if column == "field" else column] = value
        if row.has("batch"):
            fields["batch_id"] = row.parse("batch", self.lookups.batch, fields.get("tier"))
        if row.has("status") and row.raw("status") is not None:
            fields["status"] = row.parse("status", _status)
        elif is_new:
            fields["status"] = ClusterStatus.CULTIVATING
        for column in ("summary",):
            if row.has(column):
                fields[column] = row.text(column)
        if row.has("website"):
            fields["website"] = row.parse("website", parse_url) or ""
        if row.has("promotion_organization"):
            fields["promotion_organization"] = row.text("promotion_organization")
        city_errors = len(row.errors)
        if row.has("cities"):
            codes = []
            for item in split_values(row.raw("cities") or ""):
                try:
                    codes.append(self.lookups.city(item))
                except ParseError as error:
                    row.error("cities", str(error), value=item)
            fields["cities"] = codes
        cities_found = len(row.errors) == city_errors
        if row.has("lead_enterprises"):
            fields["lead_enterprises"] = split_values(row.raw("lead_enterprises") or "")
            too_long = [n for n in fields["lead_enterprises"] if len(n) > 200]
            if too_long:
                row.error("lead_enterprises", _("企业名称不能超过 200 字"), value=too_long[0][:40])
        if is_new:
            for column, label in (
                ("field", pgettext("导入查找的对象", "领域")),
                ("tier", pgettext("导入查找的对象", "层级")),
                ("cities", pgettext("导入查找的对象", "城市")),
            ):
                if not row.has(column):
                    row.error(column, _("新集群必须填写%(what)s，但表格缺少这一列") % {"what": label}, value=name)
        if cities_found:  # every city named was found: is the cluster still placed, and ours?
            self._check_scope(row, name, is_new, fields.get("cities"))
        if row.errors:
            return None
        fields["name"] = name
        return lookup_key(name), fields

    def _check_scope(self, row, name, is_new, city_codes):
        """The role scope and the one-city rule, as for every other write (`clusters.scoping.check_write`)."""
        write = {} if is_new else {"current": self.by_name[lookup_key(name)]}
        if city_codes is not None:
            write["cities"] = city_codes
        try:
            scoping.check_write(self.user, Cluster, "add" if is_new else "change", **write)
        except PermissionDenied as error:
            row.error("name", str(error), value=name)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                row.error(field, messages[0])

    def accept(self, number, key, fields):
        self.items.append((number, key, fields))

    def compare(self):
        ids = [self.by_name[key] for _number, key, _fields in self.items if key in self.by_name]
        existing = {}
        for chunk in chunks(ids):
            for cluster in Cluster.objects.filter(pk__in=chunk).prefetch_related(
                "cities", "lead_enterprises__enterprise"
            ):
                existing[lookup_key(cluster.name)] = cluster
        for number, key, fields in self.items:
            cluster = existing.get(key)
            if cluster is None:
                self.to_create.append(fields)
                yield RowOutcome(number, NEW, fields["name"])
                continue
            changes = {}
            for name, value in fields.items():
                old = self._current(cluster, name)
                if old != value and not (name == "cities" and set(old) == set(value)):
                    changes[name] = value
            if changes:
                self.to_update.append((cluster, changes))
                shown = [
                    (self.header(n), self._show(n, self._current(cluster, n)), self._show(n, v))
                    for n, v in changes.items()
                ]
                yield RowOutcome(number, UPDATED, fields["name"], shown)
            else:
                yield RowOutcome(number, UNCHANGED, fields["name"])

    def header(self, name):
        column = {"field_id": "field", "batch_id": "batch"}.get(name, name)
        return next((c.header for c in self.columns if c.name == column), name)

    @staticmethod
    def _current(cluster, name):
        if name == "cities":
            return [city.code for city in cluster.cities.all()]
        if name == "lead_enterprises":
            return [lead.enterprise.name for lead in cluster.lead_enterprises.all()]
        if name == "promotion_organization":
            return cluster.promotion_organization.name if cluster.promotion_organization_id else ""
        return getattr(cluster, name)

    def _show(self, name, value):
        if name == "cities":
            return "、".join(self.lookups.city_names.get(code, code) for code in value)
        if name == "lead_enterprises":
            return "、".join(value)
        if name == "field_id":
            return str(self.lookups.fields.labels.get(value, "")) if value else ""
        if name == "batch_id":
            return str(self.lookups.batches.labels.get(value, "")) if value else ""
        if name == "tier":
            return str(Tier(value).label) if value else ""
        if name == "status":
            return str(ClusterStatus(value).label) if value else ""
        return "" if value is None else str(value)

    # ------------------------------------------------------------------------------------------ write

    def write(self):
        history = {"user": self.user, "reason": self.reason}
        organizations = self._ensure_named(
            PromotionOrganization,
            {f["promotion_organization"] for f in self._all_fields() if f.get("promotion_organization")},
        )
        enterprises = self._ensure_named(
            Enterprise, {name for f in self._all_fields() for name in f.get("lead_enterprises", [])}
        )
        relations = []  # (cluster, fields)
        slugs = set(Cluster.objects.values_list("slug", flat=True))
        new_clusters = []
        for fields in self.to_create:
            cluster = Cluster(**self._scalars(fields, organizations))
            base = pinyin_slug(cluster.short_name or cluster.name)
            slug, n = base, 2
            while slug in slugs:
                slug, n = f"{base[: 100 - len(str(n)) - 1]}-{n}", n + 1
            slugs.add(slug)
            cluster.slug = slug
            new_clusters.append(cluster)
        created = create_with_history(Cluster, new_clusters, **history)
        relations.extend(zip(created, self.to_create, strict=True))
        names, updated = set(), []
        for cluster, changes in self.to_update:
            scalars = self._scalars(changes, organizations)
            for name, value in scalars.items():
                setattr(cluster, name, value)
                names.add(name.removesuffix("_id"))
            updated.append(cluster)
            relations.append((cluster, changes))
        update_with_history(Cluster, updated, sorted(names), **history)  # also stamps updated_at
        self._write_cities([(c, f["cities"]) for c, f in relations if "cities" in f])
        self._write_leads([(c, f["lead_enterprises"]) for c, f in relations if "lead_enterprises" in f], enterprises)

    def _all_fields(self):
        return [*self.to_create, *(changes for _cluster, changes in self.to_update)]

    def _ensure_named(self, model, names):
        """{lookup key: pk} for every name, creating the missing rows (with history)."""
        known = {lookup_key(n): pk for pk, n in model.objects.values_list("pk", "name")}
        missing = {}
        for name in names:
            missing.setdefault(lookup_key(name), name) if lookup_key(name) not in known else None
        if missing:
            objs = [model(name=n) for n in missing.values()]
            for obj in create_with_history(model, objs, user=self.user, reason=self.reason):
                known[lookup_key(obj.name)] = obj.pk
        return known

    @staticmethod
    def _scalars(fields, organizations):
        scalars = {k: v for k, v in fields.items() if k not in ("cities", "lead_enterprises", "promotion_organization")}
        if "promotion_organization" in fields:
            name = fields["promotion_organization"]
            scalars["promotion_organization_id"] = organizations[lookup_key(name)] if name else None
        return scalars

    @staticmethod
    def _write_cities(items):
        if not items:
            return
        through = Cluster.cities.through
        through.objects.filter(cluster_id__in=[c.pk for c, _codes in items]).delete()
        through.objects.bulk_create(
            [through(cluster_id=c.pk, city_id=code) for c, codes in items for code in codes], batch_size=BATCH_SIZE
        )

    def _write_leads(self, items, enterprises):
        if not items:
            return
        history = {"user": self.user, "reason": self.reason}
        current = {}
        for lead in LeadEnterprise.objects.filter(cluster_id__in=[c.pk for c, _names in items]):
            current[lead.cluster_id, lead.enterprise_id] = lead
        create, update, keep = [], [], set()
        for cluster, names in items:
            for order, name in enumerate(names, start=1):
                enterprise_id = enterprises[lookup_key(name)]
                lead = current.get((cluster.pk, enterprise_id))
                keep.add((cluster.pk, enterprise_id))
                if lead is None:
                    create.append(LeadEnterprise(cluster_id=cluster.pk, enterprise_id=enterprise_id, order=order))
                elif lead.order != order:
                    lead.order = order
                    update.append(lead)
        for key, lead in current.items():
            if key not in keep:
                lead._change_reason = self.reason
                lead.delete()  # one by one, so history records the removal
        if create:
            create_with_history(LeadEnterprise, create, **history)
        if update:
            update_with_history(LeadEnterprise, update, ["order"], **history)
