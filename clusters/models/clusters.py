from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clusters.choices import CharacteristicCategory, ClusterStatus, Tier
from clusters.slugs import unique_slug

from .base import NaturalKeyManager, NaturalKeyModel, NaturalKeyQuerySet, TimeStampedModel


class Field(NaturalKeyModel):
    """Industry field (领域). Later batches add fields, so they are rows, not choices."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80)
    order = models.PositiveSmallIntegerField(pgettext_lazy("field", "排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "产业领域")
        verbose_name_plural = pgettext_lazy("models", "产业领域")
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name


class Batch(NaturalKeyModel):
    """A published list of clusters (e.g. the 25 national clusters of 2021)."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    year = models.PositiveSmallIntegerField(_("年份"), validators=[MinValueValidator(1949), MaxValueValidator(2100)])
    tier = models.CharField(_("层级"), max_length=20, choices=Tier.choices)
    announced_on = models.DateField(_("公布日期"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    source = models.ForeignKey(
        "clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "批次")
        verbose_name_plural = pgettext_lazy("models", "批次")
        ordering = ["-year", "slug"]

    def __str__(self):
        return self.name


class PromotionOrganization(NaturalKeyModel):
    NATURAL_KEY = ("name",)

    name = models.CharField(_("名称"), max_length=200, unique=True)
    website = models.URLField(_("网址"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    source = models.ForeignKey(
        "clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "集群发展促进组织")
        verbose_name_plural = pgettext_lazy("models", "集群发展促进组织")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Enterprise(NaturalKeyModel):
    NATURAL_KEY = ("name",)

    name = models.CharField(
        _("名称"), max_length=200, unique=True, help_text=_("按出处原文书写，例如“三一”“中车四方股份”")
    )
    description = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "企业")
        verbose_name_plural = pgettext_lazy("models", "企业")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClusterQuerySet(NaturalKeyQuerySet):
    """Where clusters are is a many-to-many through their cities; these say "in a place" once.

    A subquery on the through table, not a join: a cluster with several cities in one province stays one
    row, and the database reads the (city, cluster) index instead of joining clusters to cities.
    """

    def public(self):
        return self.filter(published=True)

    def real(self):
        return self.filter(is_synthetic=False)

    def in_provinces(self, *provinces):
        """Clusters with a city in any of the provinces (codes or Province objects)."""
        through = Cluster.cities.through.objects.filter(city__province__in=provinces)
        return self.filter(pk__in=through.values("cluster"))

    def in_province(self, province):
        return self.in_provinces(province)

    def in_city(self, city):
        return self.filter(pk__in=Cluster.cities.through.objects.filter(city=city).values("cluster"))


class Cluster(NaturalKeyModel, TimeStampedModel):
    """An advanced manufacturing cluster (先进制造业集群); its official full name is its key."""

    NATURAL_KEY = ("name",)

    name = models.CharField(_("集群名称"), max_length=200, unique=True, help_text=_("官方全称"))
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    name_en = models.CharField(
        _("英文名称"), max_length=300, blank=True, help_text=_("英文页面显示；留空则显示中文名称")
    )
    slug = models.SlugField(
        _("网址标识"), max_length=120, unique=True, blank=True, help_text=_("留空则按简称的拼音自动生成")
    )
    field = models.ForeignKey(Field, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="clusters")
    tier = models.CharField(_("层级"), max_length=20, choices=Tier.choices, db_index=True)
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, null=True, blank=True, related_name="clusters"
    )
    rank_in_batch = models.PositiveSmallIntegerField(_("批次内名次"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ClusterStatus.choices, default=ClusterStatus.CULTIVATING, db_index=True
    )
    cities = models.ManyToManyField(
        "clusters.City", verbose_name=_("所在城市"), related_name="clusters", help_text=_("地级市；省份由城市推出")
    )
    area_note = models.CharField(_("地域说明"), max_length=200, blank=True, help_text=_("县级地名等细节，例如“乐清”"))
    summary = models.TextField(_("简介"), blank=True)
    origin_year = models.PositiveSmallIntegerField(
        _("起步年份"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    origin_note = models.TextField(_("起源"), blank=True)
    promotion_organization = models.ForeignKey(
        PromotionOrganization,
        verbose_name=_("集群发展促进组织"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clusters",
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("链主企业"), through="LeadEnterprise", related_name="clusters", blank=True
    )
    website = models.URLField(_("网址"), blank=True)
    sources = models.ManyToManyField("clusters.Source", verbose_name=_("出处"), related_name="clusters", blank=True)
    published = models.BooleanField(_("公开"), default=True, db_index=True, help_text=_("取消勾选则公众看不到该集群"))
    is_synthetic = models.BooleanField(_("演示数据"), default=False, db_index=True)

    objects = NaturalKeyManager.from_queryset(ClusterQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "集群")
        verbose_name_plural = pgettext_lazy("models", "集群")
        ordering = ["field__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "rank_in_batch"], name="unique_rank_in_batch"),
        ]
        indexes = [
            # A field's clusters by name (the list and API filtered by field): a page of 20 is read off this
            # index instead of sorting the field's every cluster (SQLite 0.29 -> 0.03 ms at 5,025 clusters).
            models.Index(fields=["field", "name"], name="cluster_field_name"),
            # How many public clusters a field holds (the count of the list and API filtered by field), read from
            # the index alone instead of visiting every such row for its published flag (PostgreSQL 0.9 -> 0.14 ms
            # at 5,025 clusters).
            models.Index(fields=["field"], condition=models.Q(published=True), name="cluster_public_by_field"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.short_name or self.name, Cluster.objects.exclude(pk=self.pk))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clusters:detail", kwargs={"slug": self.slug})

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def provinces(self):
        """Provinces follow from cities; cheap when cities are prefetched with their province."""
        return self.provinces_in(self.cities.all())

    @staticmethod
    def provinces_in(cities):
        """The provinces of these cities (each with its province), each once, by code: a cluster's provinces,
        for the pages, the API and the rankings alike."""
        seen = {}
        for city in cities:
            seen.setdefault(city.province_id, city.province)
        return [seen[code] for code in sorted(seen)]


class LeadEnterprise(NaturalKeyModel):
    """A lead (链主) enterprise of a cluster, as a source names it."""

    NATURAL_KEY = ("cluster__name", "enterprise__name")

    cluster = models.ForeignKey(
        Cluster, verbose_name=pgettext_lazy("field", "集群"), on_delete=models.CASCADE, related_name="lead_enterprises"
    )
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(pgettext_lazy("field", "排序"), default=0)
    source = models.ForeignKey(
        "clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "链主企业")
        verbose_name_plural = pgettext_lazy("models", "链主企业")
        ordering = ["cluster", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "enterprise"], name="unique_lead_enterprise"),
        ]

    def __str__(self):
        return f"{self.cluster.display_name}：{self.enterprise}"


class Characteristic(NaturalKeyModel):
    """A key characteristic of a cluster in the source's own words (seed 004, section 二)."""

    NATURAL_KEY = ("cluster__name", "category")

    cluster = models.ForeignKey(
        Cluster, verbose_name=pgettext_lazy("field", "集群"), on_delete=models.CASCADE, related_name="characteristics"
    )
    category = models.CharField(_("方面"), max_length=30, choices=CharacteristicCategory.choices)
    text = models.TextField(_("内容"))
    source = models.ForeignKey("clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "主要特征")
        verbose_name_plural = pgettext_lazy("models", "主要特征")
        ordering = ["cluster", "category"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "category"], name="unique_characteristic_per_category"),
        ]

    def __str__(self):
        return f"{self.cluster.display_name}·{self.get_category_display()}"
