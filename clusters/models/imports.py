from django.conf import settings
from django.db import models


def sheet_kinds():
    """The sheet kinds, from the one registry; read when asked, so models never import the sheets package."""
    from clusters.sheets import registry

    return registry.choices()


class ImportRecord(models.Model):
    """One spreadsheet import (or its preview): who, when, which file, what it did. Written, never edited."""

    VIA_CHOICES = [("admin", "管理后台"), ("command", "命令行")]

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField("文件名", max_length=255, blank=True)
    kind = models.CharField("类型", max_length=20, choices=sheet_kinds)
    via = models.CharField("途径", max_length=10, choices=VIA_CHOICES, default="command")
    dry_run = models.BooleanField("仅预览", default=False, help_text="预览或 --dry-run：只检查，不写入")
    committed = models.BooleanField("已写入", default=False)
    new_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("修改", default=0)
    unchanged_count = models.PositiveIntegerField("不变", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    error_summary = models.TextField("错误明细", blank=True, help_text="最多前 200 条，其后只记总数")

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"
