from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import NaturalKeyModel, TimeStampedModel


class Term(NaturalKeyModel):
    """A word of an open vocabulary: staff add terms as data, pages show `name` (or `name_en` in English)."""

    NATURAL_KEY = ("slug",)

    slug = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80)
    order = models.PositiveSmallIntegerField(pgettext_lazy("field", "排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name


class MeasureCategory(Term):
    """The category a source files a measure under, in the source's own words.

    Seed 004 sorts its measures into 顶层设计、强链补链、搭建平台、开放合作; that filing is what pages
    show and filter on. A measure whose source files it nowhere has no category (shown as 未分类).
    """

    history = HistoricalRecords()

    class Meta(Term.Meta):
        verbose_name = pgettext_lazy("model", "举措类别")
        verbose_name_plural = pgettext_lazy("models", "举措类别")


class MeasureTopic(Term):
    """What a measure is about (资金支持、人才、个税减免 …), a facet beside the source's category.

    A measure has as many topics as its own words name; topics never stand in for a category.
    """

    history = HistoricalRecords()

    class Meta(Term.Meta):
        verbose_name = pgettext_lazy("model", "举措主题")
        verbose_name_plural = pgettext_lazy("models", "举措主题")


class Measure(NaturalKeyModel, TimeStampedModel):
    """What a locality or the ministry does for a cluster. No cluster means the whole programme."""

    NATURAL_KEY = ("cluster__name", "title")

    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=pgettext_lazy("field", "集群"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measures",
        help_text=_("留空表示面向全部集群的举措（例如工信部的统一举措）"),
    )
    category = models.ForeignKey(
        MeasureCategory,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        help_text=_("出处给出的类别；出处没有归类的留空（页面显示为“未分类”）"),
    )
    topics = models.ManyToManyField(
        MeasureTopic,
        verbose_name=_("主题"),
        blank=True,
        related_name="measures",
        help_text=_("举措内容涉及的主题，例如资金支持、人才；可多选"),
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    issuing_body = models.CharField(_("发布机构"), max_length=200, blank=True)
    document_title = models.CharField(_("政策文件"), max_length=300, blank=True, help_text=_("文件全名，含书名号《》"))
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    source = models.ForeignKey("clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "举措")
        verbose_name_plural = pgettext_lazy("models", "举措")
        ordering = ["cluster", "category__order", "issued_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "title"], name="unique_measure_title_per_cluster"),
            models.UniqueConstraint(
                fields=["title"], condition=models.Q(cluster__isnull=True), name="unique_programme_measure_title"
            ),
        ]
        indexes = [models.Index(fields=["category", "issued_on"], name="measure_category_date")]

    def __str__(self):
        return self.title
