from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clusters.choices import IndicatorKind, Qualifier
from clusters.periods import MAX_YEAR, MIN_YEAR, validate_period

from .base import NaturalKeyModel, TimeStampedModel

year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


class Indicator(NaturalKeyModel):
    """A named measure with its unit. The indicator owns the unit, so every value of it shares one.

    Money is kept in 亿元, shares in %, counts as counts.
    """

    NATURAL_KEY = ("code",)

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, help_text=_("金额用亿元，占比用%，数量用家、项、件、人等"))
    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(pgettext_lazy("field", "排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "指标")
        verbose_name_plural = pgettext_lazy("models", "指标")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class IndicatorValue(NaturalKeyModel, TimeStampedModel):
    """One figure: (cluster, indicator, period) -> value, in the indicator's unit."""

    NATURAL_KEY = ("cluster__name", "indicator__code", "period", "scope")

    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=pgettext_lazy("field", "集群"),
        on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=pgettext_lazy("field", "指标"), on_delete=models.PROTECT, related_name="values"
    )
    period = models.CharField(_("期间"), max_length=7, validators=[validate_period])
    # Part of the figure's identity: one sentence may give a cluster several shares of one year, each for
    # another product (南京：高压继电保护设备 80%，省级电网调度自动化系统 超90%).
    scope = models.CharField(
        _("口径"),
        max_length=100,
        blank=True,
        help_text=_("数值所指的产品、环节或地域，例如“高压继电保护设备”；留空表示整个集群"),
    )
    period_is_report_year = models.BooleanField(
        _("期间为报道年份"),
        default=False,
        help_text=_("出处没有写明数据年份，期间取报道或文件的年份；页面上写作“据2021年报道”"),
    )
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    qualifier = models.CharField(_("数值性质"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    original_text = models.TextField(_("原文"), blank=True)
    note = models.TextField(
        _("说明"), blank=True, help_text=_("读者需要知道的限定，例如“原文为深圳信息产业规模，非集群口径”")
    )
    source = models.ForeignKey("clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT)
    is_synthetic = models.BooleanField(_("演示数据"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "指标值")
        verbose_name_plural = pgettext_lazy("models", "指标值")
        ordering = ["cluster", "indicator__order", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "indicator", "period", "scope"],
                name="one_value_per_period_and_scope",
                violation_error_message=_("该集群这一指标在这一期、这一口径下已有数值。"),
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="value_indicator_period")]

    def __str__(self):
        scope = f"（{self.scope}）" if self.scope else ""
        return f"{self.cluster.display_name} {self.indicator.name}{scope} {self.period}"

    @property
    def unit(self):
        return self.indicator.unit


class Target(NaturalKeyModel, TimeStampedModel):
    """A locality's promise, e.g. 南京新型电力装备集群 产值 突破 4000 亿元 by 2025."""

    NATURAL_KEY = ("cluster__name", "indicator__code", "target_year")

    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=pgettext_lazy("field", "集群"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=pgettext_lazy("field", "指标"), on_delete=models.PROTECT, related_name="targets"
    )
    target_value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4)
    qualifier = models.CharField(_("目标性质"), max_length=10, choices=Qualifier.choices, default=Qualifier.AT_LEAST)
    target_year = models.PositiveSmallIntegerField(_("目标年份"), validators=year_validators)
    baseline_value = models.DecimalField(_("基期值"), max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True, validators=year_validators)
    original_text = models.TextField(_("原文"), blank=True)
    source = models.ForeignKey("clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "目标")
        verbose_name_plural = pgettext_lazy("models", "目标")
        ordering = ["cluster", "target_year", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "indicator", "target_year"], name="one_target_per_year"),
            models.CheckConstraint(
                condition=models.Q(baseline_year__isnull=True) | models.Q(target_year__gt=models.F("baseline_year")),
                name="target_year_after_baseline",
                violation_error_message=_("目标年份必须晚于基期年份。"),
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_value__isnull=True) | models.Q(baseline_year__isnull=False),
                name="baseline_value_needs_year",
                violation_error_message=_("填写基期值时必须同时填写基期年份。"),
            ),
        ]

    def __str__(self):
        return f"{self.cluster.display_name} {self.indicator.name} {self.target_year}"

    @property
    def unit(self):
        return self.indicator.unit
