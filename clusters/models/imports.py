from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def sheet_kinds():
    """The sheet kinds, from the one registry; read when asked, so models never import the sheets package."""
    from clusters.sheets import registry

    return registry.choices()


class ImportRecord(models.Model):
    """One spreadsheet import (or its preview): who, when, which file, what it did. Written, never edited."""

    VIA_CHOICES = [("admin", _("管理后台")), ("command", _("命令行"))]

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=sheet_kinds)
    via = models.CharField(_("途径"), max_length=10, choices=VIA_CHOICES, default="command")
    dry_run = models.BooleanField(_("仅预览"), default=False, help_text=_("预览或 --dry-run：只检查，不写入"))
    committed = models.BooleanField(_("已写入"), default=False)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("修改"), default=0)
    unchanged_count = models.PositiveIntegerField(_("不变"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    error_summary = models.TextField(_("错误明细"), blank=True, help_text=_("最多前 200 条，其后只记总数"))

    class Meta:
        verbose_name = pgettext_lazy("model", "导入记录")
        verbose_name_plural = pgettext_lazy("models", "导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"
