from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clusters.choices import SourceKind

from .base import NaturalKeyModel


class Source(NaturalKeyModel):
    """Where a fact comes from. Every fact the portal ships cites one."""

    NATURAL_KEY = ("code",)

    code = models.SlugField(_("代码"), max_length=60, unique=True, help_text=_("稳定的英文标识，例如 seed-004"))
    kind = models.CharField(_("类型"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    publisher = models.CharField(_("发布者"), max_length=200)
    title = models.CharField(_("标题"), max_length=300)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    document_number = models.CharField(_("文号/期号"), max_length=100, blank=True)
    url = models.URLField(_("网址"), max_length=500, blank=True)
    note = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "出处")
        verbose_name_plural = pgettext_lazy("models", "出处")
        ordering = ["-published_on", "code"]

    def __str__(self):
        date = f"，{self.published_on:%Y-%m-%d}" if self.published_on else ""
        return f"{self.publisher}《{self.title}》{date}"
