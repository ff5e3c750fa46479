from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clusters.choices import CityKind, ProvinceKind, Region

from .base import NaturalKeyManager, NaturalKeyModel, NaturalKeyQuerySet


def _links(clusters):
    from .clusters import Cluster

    links = Cluster.cities.through.objects
    return links.filter(cluster__published=True) if clusters is None else links.filter(cluster__in=clusters)


class ProvinceQuerySet(NaturalKeyQuerySet):
    def holding(self, clusters=None):
        """Provinces with a city holding one of `clusters` (default: the public clusters)."""
        return self.filter(code__in=_links(clusters).values("city__province"))

    def holding_public_clusters(self):
        return self.holding()


class CityQuerySet(NaturalKeyQuerySet):
    def holding(self, clusters=None):
        """Cities holding one of `clusters` (default: the public clusters)."""
        return self.filter(code__in=_links(clusters).values("city"))

    def holding_public_clusters(self):
        return self.holding()


gb2260_code = RegexValidator(r"^\d{6}$", _("行政区划代码应为六位数字（GB/T 2260）。"))


class Province(NaturalKeyModel):
    """A province-level division; its GB/T 2260 code is its key."""

    NATURAL_KEY = ("code",)

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True, validators=[gb2260_code])
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=ProvinceKind.choices)
    region = models.CharField(_("经济区域"), max_length=20, choices=Region.choices, blank=True, db_index=True)
    source = models.ForeignKey(
        "clusters.Source",
        verbose_name=pgettext_lazy("field", "出处"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # GB/T 2260 gives the codes and names but defines no regions: the four-region split is 国家统计局's.
    region_source = models.ForeignKey(
        "clusters.Source",
        verbose_name=_("经济区域出处"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("经济区域划分的依据，例如国家统计局《东西中部和东北地区划分方法》"),
    )

    objects = NaturalKeyManager.from_queryset(ProvinceQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "省级行政区")
        verbose_name_plural = pgettext_lazy("models", "省级行政区")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__endswith="0000"), name="province_code_ends_0000"),
        ]

    def __str__(self):
        return self.name


class City(NaturalKeyModel):
    """A prefecture-level division (a municipality counts as one city under its own code)."""

    NATURAL_KEY = ("code",)

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True, validators=[gb2260_code])
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=80)
    province = models.ForeignKey(
        Province, verbose_name=pgettext_lazy("field", "省级行政区"), on_delete=models.PROTECT, related_name="cities"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=CityKind.choices)
    source = models.ForeignKey(
        "clusters.Source",
        verbose_name=pgettext_lazy("field", "出处"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = NaturalKeyManager.from_queryset(CityQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "地级行政区")
        verbose_name_plural = pgettext_lazy("models", "地级行政区")
        ordering = ["code"]
        constraints = [
            # Names repeat across provinces only in theory; within one province they never do.
            models.UniqueConstraint(fields=["province", "name"], name="unique_city_name_in_province"),
        ]

    def __str__(self):
        return self.name
