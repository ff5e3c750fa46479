from django.conf import settings
from django.db import models


class ImportRecord(models.Model):
    """One spreadsheet import (or its preview): who, when, which file, what it did. Written, never edited."""

    KIND_CHOICES = [
        ("clusters", "集群"),
        ("measures", "举措"),
        ("targets", "目标"),
        ("indicator-values", "指标值"),
    ]
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
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    via = models.CharField("途径", max_length=10, choices=VIA_CHOICES, default="command")
    dry_run = models.BooleanField("仅预览", default=False, help_text="预览或 --dry-run：只检查，不写入")
    committed = models.BooleanField("已写入", default=False)
    new_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("修改", default=0)
    unchanged_count = models.PositiveIntegerField("不变", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    error_summary = models.TextField("错误明细", blank=True, help_text="最多前 200 条")

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"
