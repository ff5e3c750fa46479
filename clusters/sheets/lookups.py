"""Reference tables loaded once per file, so resolving 10,000 rows costs a handful of queries, not 10,000."""

import hashlib
import re
from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clusters.bulk import create_with_history
from clusters.choices import SourceKind
from clusters.models import (
    Batch,
    City,
    Cluster,
    EvaluationScheme,
    Field,
    Indicator,
    MeasureCategory,
    MeasureTopic,
    Province,
    SchemeDimension,
    Source,
)

from .parsing import ParseError, clean_text, join_list, lookup_key, parse_unit

DEFAULT_PUBLISHER = "地方报送"
# Lazy: translated only when a name is not found, not on each of 10,000 rows that resolve.
CLUSTER_HINT = gettext_lazy("（按集群全称、简称或网址标识查找）")
CITY_HINT = gettext_lazy("（按城市名称或六位行政区划代码查找）")


class Index:
    """lookup_key(name) -> set of ids, from several name columns; says 'unknown' or 'ambiguous' plainly.

    ``what`` names the kind of record inside a sentence ('集群' / 'cluster'), hence its own context.
    """

    def __init__(self, what):
        self.what = what
        self.ids = defaultdict(set)
        self.labels = {}
        self.resolved = {}  # cell text -> id: a sheet names the same few records thousands of times

    def add(self, obj_id, label, *names):
        self.labels[obj_id] = label
        self.resolved.clear()
        for name in names:
            key = lookup_key(name)
            if key:
                self.ids[key].add(obj_id)

    def find(self, text):
        return self.ids.get(lookup_key(text), set())

    def get(self, text, hint=""):
        if text in self.resolved:
            return self.resolved[text]
        ids = self.find(text)
        if len(ids) == 1:
            self.resolved[text] = next(iter(ids))
            return self.resolved[text]
        if not ids:
            raise ParseError(
                _("找不到%(what)s“%(text)s”%(hint)s") % {"what": self.what, "text": clean_text(text), "hint": hint}
            )
        names = join_list(sorted(str(self.labels[i]) for i in ids))
        raise ParseError(
            _("“%(text)s”对应多个%(what)s（%(names)s），请写全称或代码")
            % {"text": clean_text(text), "what": self.what, "names": names}
        )


class PendingSource:
    """A source named in the sheet that does not exist yet; created on commit (kind 地方报送)."""

    def __init__(self, title, publisher, published_on=None):
        self.title = title
        self.publisher = publisher
        self.published_on = published_on
        self.code = "submission-" + hashlib.sha1(f"{publisher}|{title}".encode()).hexdigest()[:12]
        self.pk = None

    def __str__(self):
        return self.title


class Lookups:
    """Everything a sheet may name, loaded in one query per table."""

    def __init__(self, publisher="", today=None):
        # Stored data, not messages: the same in every UI language. ``submitter`` is the 报送单位 the clerk
        # typed (the body that sent the figures), never a user name or a file name: both reach public pages.
        self.submitter = publisher.strip()
        self.publisher = self.submitter or DEFAULT_PUBLISHER
        self.today = today or timezone.localdate()
        self._built = set()
        self.pending_sources = {}
        self.resolved_sources = {}

    # Each table is loaded on first use, so a clusters sheet never reads indicators.
    def _ensure(self, name):
        if name not in self._built:
            self._built.add(name)
            getattr(self, f"_load_{name}")()

    def _load_clusters(self):
        self.clusters = Index(pgettext_lazy("导入查找的对象", "集群"))
        for pk, name, short_name, slug in Cluster.objects.values_list("pk", "name", "short_name", "slug"):
            self.clusters.add(pk, name, name, short_name, slug)

    def cluster(self, text):
        self._ensure("clusters")
        return self.clusters.get(text, CLUSTER_HINT)

    def _load_cities(self):
        self.cities = Index(pgettext_lazy("导入查找的对象", "城市"))
        self.city_names = {}
        self.provinces = []
        for province in Province.objects.all():
            self.provinces.append((lookup_key(province.name), lookup_key(province.short_name), province.code))
        for code, name, short_name in City.objects.values_list("code", "name", "short_name"):
            self.city_names[code] = name
            bare = re.sub(r"(市|地区|盟)$", "", name)
            self.cities.add(code, f"{name} {code}", code, name, short_name, bare)

    def city(self, text):
        self._ensure("cities")
        code = re.sub(r"\.0+$", "", lookup_key(text))
        ids = self.cities.find(code)
        if len(ids) != 1:
            # 江苏省南京市 / 江苏南京: strip the province and look within it.
            key = lookup_key(text)
            for name, short_name, province_code in self.provinces:
                for prefix in (name, short_name):
                    if prefix and key.startswith(prefix) and len(key) > len(prefix):
                        inside = {c for c in self.cities.find(key[len(prefix) :]) if c[:2] == province_code[:2]}
                        if len(inside) == 1:
                            return next(iter(inside))
        return self.cities.get(code if ids else text, CITY_HINT)

    def _load_fields(self):
        self.fields = Index(pgettext_lazy("导入查找的对象", "领域"))
        for pk, slug, name, name_en in Field.objects.values_list("pk", "slug", "name", "name_en"):
            self.fields.add(pk, name, slug, name, name_en)

    def field(self, text):
        self._ensure("fields")
        return self.fields.get(text)

    def _load_batches(self):
        self.batches = Index(pgettext_lazy("导入查找的对象", "批次"))
        self.batch_tiers = {}
        for pk, slug, name, year, tier in Batch.objects.values_list("pk", "slug", "name", "year", "tier"):
            self.batch_tiers[pk] = tier
            self.batches.add(pk, name, slug, name, str(year))

    def batch(self, text, tier=None):
        self._ensure("batches")
        ids = self.batches.find(re.sub(r"(年|\.0+)$", "", clean_text(text)))
        if len(ids) > 1 and tier:
            same_tier = {pk for pk in ids if self.batch_tiers[pk] == tier}
            if len(same_tier) == 1:
                return next(iter(same_tier))
        return self.batches.get(text)

    def _load_indicators(self):
        self.indicators = Index(pgettext_lazy("导入查找的对象", "指标"))
        self.indicator_units = {}
        self.indicator_unit_names = {}  # as the indicator writes it: what the preview shows beside a value
        self.indicator_labels = {}
        for pk, code, name, name_en, unit in Indicator.objects.values_list("pk", "code", "name", "name_en", "unit"):
            self.indicators.add(pk, name, code, name, name_en)
            self.indicator_labels[pk] = name
            self.indicator_unit_names[pk] = unit
            try:
                self.indicator_units[pk] = parse_unit(unit)
            except ParseError:
                self.indicator_units[pk] = None

    def indicator(self, text):
        """-> (indicator id, its Unit)."""
        self._ensure("indicators")
        pk = self.indicators.get(text)
        return pk, self.indicator_units[pk]

    def _load_categories(self):
        self.categories = Index(pgettext_lazy("导入查找的对象", "举措类别"))
        for pk, slug, name, name_en in MeasureCategory.objects.values_list("pk", "slug", "name", "name_en"):
            self.categories.add(pk, name, slug, name, name_en)

    def category(self, text):
        self._ensure("categories")
        return self.categories.get(text)

    def _load_topics(self):
        self.topics = Index(pgettext_lazy("导入查找的对象", "举措主题"))
        names = []
        for pk, slug, name, name_en in MeasureTopic.objects.values_list("pk", "slug", "name", "name_en"):
            self.topics.add(pk, name, slug, name, name_en)
            names.append(name)
        self.topic_hint = _("（现有主题：%(names)s）") % {"names": join_list(names)} if names else ""

    def topic(self, text):
        """A measure topic's id, by name, code (slug) or English name."""
        self._ensure("topics")
        return self.topics.get(text, self.topic_hint)

    def topic_name(self, pk):
        self._ensure("topics")
        return str(self.topics.labels[pk])

    def _load_schemes(self):
        self.schemes, self.scheme_labels, latest = {}, {}, {}
        schemes = EvaluationScheme.objects.prefetch_related(
            Prefetch("dimensions", queryset=SchemeDimension.objects.order_by("order", "id"))
        )
        for scheme in schemes:
            self.scheme_labels[scheme.pk] = str(scheme)
            self.schemes.setdefault(lookup_key(scheme.code), scheme)
            self.schemes.setdefault(lookup_key(str(scheme)), scheme)
            if scheme.name not in latest or scheme.version > latest[scheme.name].version:
                latest[scheme.name] = scheme
        for name, scheme in latest.items():  # a scheme's bare name means its latest version
            self.schemes.setdefault(lookup_key(name), scheme)

    def scheme(self, text):
        """An evaluation scheme (with its dimensions) by code, '名称（第N版）' or name (the latest version)."""
        self._ensure("schemes")
        scheme = self.schemes.get(lookup_key(text))
        if scheme is None:
            raise ParseError(_("找不到评估方案“%(text)s”（按代码或名称查找）") % {"text": clean_text(text)})
        return scheme

    def _load_sources(self):
        self.sources = {}
        self.source_codes = {}
        self.source_titles = defaultdict(list)
        for source in Source.objects.all():
            self.sources[source.pk] = source
            self.source_codes[source.code.lower()] = source
            self.source_titles[lookup_key(source.title)].append(source)

    def source(self, text):
        """An existing Source by code or title; otherwise one to create (PendingSource)."""
        if text not in self.resolved_sources:  # a sheet cites the same few sources thousands of times
            try:
                self.resolved_sources[text] = self._source(text)
            except ParseError as error:
                self.resolved_sources[text] = error
        found = self.resolved_sources[text]
        if isinstance(found, ParseError):
            raise found
        return found

    def _source(self, text):
        self._ensure("sources")
        text = clean_text(text)
        found = self.source_codes.get(text.lower())
        if found:
            return found
        titles = self.source_titles.get(lookup_key(text.strip("《》")), [])
        if len(titles) == 1:
            return titles[0]
        if len(titles) > 1:
            codes = join_list(s.code for s in titles)
            raise ParseError(
                _("有多个出处的标题是“%(text)s”（%(codes)s），请填写出处代码") % {"text": text, "codes": codes}
            )
        return self._pending(text)

    def source_code(self, pk):
        """The code of the source with primary key ``pk`` ('' for none)."""
        self._ensure("sources")
        return self.sources[pk].code if pk else ""

    def default_source(self):
        """What a new or changed row with an empty 来源 cites: the submitting body's submission of the day,
        e.g. 深圳市工业和信息化局《深圳市工业和信息化局报送数据（2026-11-30）》, or 地方报送《地方报送数据（…）》."""
        self._ensure("sources")
        title = f"{self.submitter or '地方'}报送数据（{self.today:%Y-%m-%d}）"
        titles = [s for s in self.source_titles.get(lookup_key(title), []) if s.publisher == self.publisher]
        return titles[0] if titles else self._pending(title, self.today)

    def _pending(self, title, published_on=None):
        key = lookup_key(title)
        if key not in self.pending_sources:
            pending = PendingSource(title, self.publisher, published_on)
            existing = self.source_codes.get(pending.code)
            if existing:
                return existing
            self.pending_sources[key] = pending
        return self.pending_sources[key]

    def create_pending_sources(self):
        """Create the sources the sheet named but the portal lacks; called inside the import's transaction."""
        pending = list(self.pending_sources.values())
        if not pending:
            return
        created = create_with_history(
            Source,
            [
                Source(
                    code=p.code,
                    kind=SourceKind.SUBMISSION,
                    publisher=p.publisher,
                    title=p.title,
                    published_on=p.published_on,
                )
                for p in pending
            ],
        )
        by_code = {source.code: source for source in created}
        for item in pending:
            item.pk = by_code[item.code].pk
