"""The clusters sheet: a cluster is created or updated by its full name, with its cities and lead enterprises."""

from collections import Counter, defaultdict
from itertools import islice

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from clusters.bulk import BATCH_SIZE, create_with_history, update_with_history
from clusters.choices import ClusterStatus, Tier
from clusters.models import City, Cluster, Enterprise, LeadEnterprise, PromotionOrganization
from clusters.slugs import pinyin_slug

from ..base import EXPORT_CHUNK, Sheet, chunks, id_in
from ..columns import Column, label_of
from ..parsing import lookup_key, parse_choice, parse_integer, parse_url
from ..results import NEW, UNCHANGED, UPDATED
from .common import NANJING, YEAR

SEPARATOR = "、"
RELATIONS = ("cities", "lead_enterprises", "promotion_organization")
FOREIGN_KEYS = {"field": "field_id", "batch": "batch_id"}


def _tier(value):
    return parse_choice(value, Tier)


def _status(value):
    return parse_choice(value, ClusterStatus)


def _origin_year(value):
    return parse_integer(value, 1800, 2100)


def _city_cell(record):
    return record["city_cell"]


def _lead_enterprises(record):
    return record["lead_enterprises"]


class ClusterSheet(Sheet):
    kind = "clusters"
    title = "集群"
    sheet_names = ("clusters",)
    model = Cluster
    key_column = "name"
    key_label = gettext_lazy("集群名称")
    columns = (
        Column(
            "name",
            "集群名称",
            "Cluster name",
            required=True,
            aliases=("集群全称", "名称", "cluster"),
            help=gettext_lazy("官方全称；按全称新建或更新"),
            attribute="name",
            export="name",
            width=36,
            meaning=gettext_lazy("集群的官方全称（唯一）"),
            example=NANJING,
        ),
        Column(
            "short_name",
            "简称",
            "Short name",
            aliases=("集群简称",),
            attribute="short_name",
            export="short_name",
            meaning=gettext_lazy("常用的简称"),
            example="南京市新型电力（智能电网）装备集群",
        ),
        Column(
            "name_en",
            "英文名称",
            "English name",
            aliases=("english_name",),
            help=gettext_lazy("英文页面显示的名称；留空则显示中文名称"),
            attribute="name_en",
            export="name_en",
            meaning=gettext_lazy("英文名称；空白表示还没有英文名称"),
        ),
        Column(
            "field",
            "领域",
            "Field",
            aliases=("产业领域",),
            help=gettext_lazy("领域名称，例如 信息技术；新集群必填"),
            parser="field",
            attribute="field",
            export="field__name",
            meaning=gettext_lazy("产业领域"),
            example="高端装备制造",
        ),
        Column(
            "tier",
            "层级",
            "Tier",
            aliases=("级别",),
            help=gettext_lazy("国家级、省级或市级；新集群必填"),
            parser=_tier,
            export=label_of("tier", Tier),
            reads=("tier",),
            meaning=gettext_lazy("层级：国家级、省级或市级"),
            example="国家级",
        ),
        Column(
            "batch",
            "批次",
            "Batch",
            help=gettext_lazy("批次名称、代码或年份"),
            parser="batch",
            attribute="batch",
            export="batch__name",
            meaning=gettext_lazy("入选的批次（公布的集群名单）"),
            example="2021年国家先进制造业集群（25个）",
        ),
        Column(
            "status",
            "状态",
            "Status",
            help=gettext_lazy("培育中、重点支持、警示或退出；留空保持原值（新集群为培育中）"),
            parser=_status,
            export=label_of("status", ClusterStatus),
            reads=("status",),
            meaning=gettext_lazy("培育状态：培育中、重点支持、警示或退出"),
            example="重点支持",
        ),
        Column(
            "cities",
            "城市",
            "Cities",
            aliases=("所在城市",),
            help=gettext_lazy("一个或多个地级市，用顿号分隔；名称或六位代码；新集群必填"),
            parser="city",
            many=True,
            export=_city_cell,
            width=24,
            meaning=gettext_lazy("所在的地级市，多个用顿号分隔；直辖市算一个城市；与别的城市重名的写六位代码"),
            unit=gettext_lazy("GB/T 2260 名称或代码"),
            example="成都市、德阳市",
        ),
        Column(
            "summary",
            "简介",
            "Summary",
            aliases=("介绍",),
            attribute="summary",
            export="summary",
            width=40,
            meaning=gettext_lazy("简介"),
        ),
        Column(
            "origin_year",
            "起步年份",
            "Year started",
            aliases=("起源年份",),
            help=gettext_lazy("四位年份，例如 1958"),
            parser=_origin_year,
            export="origin_year",
            meaning=gettext_lazy("集群开始发展的年份"),
            unit=YEAR,
            example="1958",
        ),
        Column(
            "promotion_organization",
            "促进机构",
            "Promotion organisation",
            aliases=("集群发展促进组织", "促进组织"),
            help=gettext_lazy("集群发展促进组织；没有则新建"),
            attribute="promotion_organization.name",
            export="promotion_organization__name",
            width=30,
            meaning=gettext_lazy("集群发展促进组织的名称"),
        ),
        Column(
            "lead_enterprises",
            "链主企业",
            "Lead enterprises",
            aliases=("enterprises",),
            help=gettext_lazy("用顿号分隔；没有的企业会新建"),
            attribute="enterprises.name",
            many=True,
            export=_lead_enterprises,
            width=30,
            meaning=gettext_lazy("链主企业，按出处的写法，顿号分隔"),
            example="海康威视、大华股份、宇视科技",
        ),
        Column(
            "website",
            "网址",
            "Website",
            aliases=("url",),
            parser=parse_url,
            attribute="website",
            export="website",
            meaning=gettext_lazy("集群的网址"),
            unit="URL",
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_name = {lookup_key(name): pk for pk, name in Cluster.objects.values_list("pk", "name")}

    # ------------------------------------------------------------------------------------------ parse

    def parse(self, row):
        name = row.get("name")
        if not name:
            return None
        is_new = lookup_key(name) not in self.by_name
        fields = {}
        for column in ("short_name", "name_en", "summary", "promotion_organization", "origin_year"):
            if row.has(column):
                fields[column] = row.get(column)
        for column in ("field", "tier"):  # optional columns, but a present one may not be left empty
            if row.has(column):
                if row.raw(column) is None:
                    row.error(column, _("不能为空"))
                fields[FOREIGN_KEYS.get(column, column)] = row.get(column)
        if row.has("batch"):
            fields["batch_id"] = row.get("batch", fields.get("tier"))
        if row.has("status") and row.raw("status") is not None:
            fields["status"] = row.get("status")
        elif is_new:
            fields["status"] = ClusterStatus.CULTIVATING
        if row.has("website"):
            fields["website"] = row.get("website") or ""
        city_errors = len(row.errors)
        if row.has("cities"):
            fields["cities"] = row.get("cities")
        cities_found = len(row.errors) == city_errors
        if row.has("lead_enterprises"):
            fields["lead_enterprises"] = row.get("lead_enterprises")
        if is_new:
            for column, label in (
                ("field", pgettext("导入查找的对象", "领域")),
                ("tier", pgettext("导入查找的对象", "层级")),
                ("cities", pgettext("导入查找的对象", "城市")),
            ):
                if not row.has(column):
                    row.error(column, _("新集群必须填写%(what)s，但表格缺少这一列") % {"what": label}, value=name)
        if cities_found:  # every city named was found: is the cluster still placed, and ours?
            write = {} if is_new else {"current": self.by_name[lookup_key(name)]}
            if "cities" in fields:
                write["cities"] = fields["cities"]
            self.check_scope(row, "add" if is_new else "change", error_column="name", **write)
        if row.errors:
            return None
        fields["name"] = name
        return lookup_key(name), fields

    # ------------------------------------------------------------------------------------------ compare

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
                yield number, NEW, fields["name"], ()
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
                yield number, UPDATED, fields["name"], shown
            else:
                yield number, UNCHANGED, fields["name"], ()

    def label(self, key):
        return key  # compare yields the cluster's name as its key

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
            return SEPARATOR.join(self.lookups.city_names.get(code, code) for code in value)
        if name == "lead_enterprises":
            return SEPARATOR.join(value)
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
            for name, value in self._scalars(changes, organizations).items():
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
            if lookup_key(name) not in known:
                missing.setdefault(lookup_key(name), name)
        if missing:
            objs = [model(name=n) for n in missing.values()]
            for obj in create_with_history(model, objs, user=self.user, reason=self.reason):
                known[lookup_key(obj.name)] = obj.pk
        return known

    @staticmethod
    def _scalars(fields, organizations):
        scalars = {k: v for k, v in fields.items() if k not in RELATIONS}
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

    # ------------------------------------------------------------------------------------------ export

    @classmethod
    def export_queryset(cls, queryset=None):
        """The clusters, in the list's own order; ``export_records`` reads them as plain rows."""
        return Cluster.objects.all() if queryset is None else queryset.prefetch_related(None)

    @classmethod
    def export_records(cls, queryset, columns):
        """``values()`` dicts a chunk of clusters at a time, with each chunk's city links and lead enterprises
        from one query of tuples each: model instances with prefetches built 26,000 objects for 5,025 clusters.

        Besides the columns' paths a record holds "pk", "cities" — [(code, name, province code, province
        name)] by code — and the cells "city_cell" and "lead_enterprises". The cities (a few hundred, however
        many clusters) are read once; a city whose name another city shares is written as its code, so the
        cell re-imports unambiguously.
        """
        places = {
            code: (code, name, province, province_name)
            for code, name, province, province_name in City.objects.order_by().values_list(
                "code", "name", "province_id", "province__name"
            )
        }
        named = Counter(name for _code, name, _province, _province_name in places.values())
        cell = {code: code if named[place[1]] > 1 else place[1] for code, place in places.items()}
        paths = list(dict.fromkeys(("pk", *(path for column in columns for path in column.paths))))
        records = queryset.values(*paths).iterator(chunk_size=EXPORT_CHUNK)
        while batch := list(islice(records, EXPORT_CHUNK)):
            ids = [record["pk"] for record in batch]
            cities, leads = defaultdict(list), defaultdict(list)
            links = Cluster.cities.through.objects.filter(id_in("cluster_id", ids, Cluster.cities.through))
            for cluster_id, code in links.order_by("city_id").values_list("cluster_id", "city_id"):
                cities[cluster_id].append(code)
            named_leads = LeadEnterprise.objects.filter(id_in("cluster_id", ids, LeadEnterprise)).order_by(
                "order", "id"
            )
            for cluster_id, name in named_leads.values_list("cluster_id", "enterprise__name"):
                leads[cluster_id].append(name)
            for record in batch:
                codes = cities[record["pk"]]
                record["cities"] = [places[code] for code in codes]
                record["city_cell"] = SEPARATOR.join([cell[code] for code in codes])
                record["lead_enterprises"] = SEPARATOR.join(leads[record["pk"]])
                yield record
