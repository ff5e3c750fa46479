from django.db import models
from simple_history.models import HistoricalRecords

from clusters.choices import SourceKind

from .base import NaturalKeyModel


class Source(NaturalKeyModel):
    """Where a fact comes from. Every fact the portal ships cites one."""

    NATURAL_KEY = ("code",)

    code = models.SlugField("代码", max_length=60, unique=True, help_text="稳定的英文标识，例如 seed-004")
    kind = models.CharField("类型", max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    publisher = models.CharField("发布者", max_length=200)
    title = models.CharField("标题", max_length=300)
    published_on = models.DateField("发布日期", null=True, blank=True)
    document_number = models.CharField("文号/期号", max_length=100, blank=True)
    url = models.URLField("网址", max_length=500, blank=True)
    note = models.TextField("备注", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "出处"
        verbose_name_plural = "出处"
        ordering = ["-published_on", "code"]

    def __str__(self):
        date = f"，{self.published_on:%Y-%m-%d}" if self.published_on else ""
        return f"{self.publisher}《{self.title}》{date}"
