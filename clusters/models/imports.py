from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def sheet_kinds():
    """The sheet kinds, from the one registry; read when asked, so models never import the sheets package."""
    from clusters.sheets import registry

    return registry.choices()


class ImportRecord(models.Model):
    """One spreadsheet import: who, when, which file, what it did. An admin upload is also the background job
    that checks it and, once confirmed, imports it (``clusters/sheets/jobs.py``): its state, progress and
    outcome live here, so any worker process on any machine sharing the database can run it."""

    VIA_CHOICES = [("admin", _("管理后台")), ("command", _("命令行"))]

    QUEUED, RUNNING, CANCELLED, FAILED, DONE = "queued", "running", "cancelled", "failed", "done"
    STATE_CHOICES = [
        (QUEUED, _("排队中")),
        (RUNNING, _("进行中")),
        (CANCELLED, _("已取消")),
        (FAILED, _("失败")),
        (DONE, _("完成")),
    ]
    CHECK, IMPORT = "check", "import"
    PHASE_CHOICES = [(CHECK, _("检查")), (IMPORT, _("导入"))]

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

    # The job (admin uploads; a command's import runs in the foreground and is recorded done).
    state = models.CharField(_("状态"), max_length=10, choices=STATE_CHOICES, default=DONE, db_index=True)
    phase = models.CharField(_("阶段"), max_length=10, choices=PHASE_CHOICES, default=CHECK)
    publisher = models.CharField(_("报送单位"), max_length=200, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    rows_checked = models.PositiveIntegerField(_("已检查行数"), default=0)
    rows_written = models.PositiveIntegerField(_("已写入行数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("最近心跳"), null=True, blank=True, help_text=_("运行中的任务定时更新；太久没有更新说明任务进程已停止")
    )
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    # The upload itself: a worker on another machine reads it from here (its size is capped by
    # IMPORT_MAX_UPLOAD_SIZE); emptied once the job can no longer need it.
    file_data = models.BinaryField(_("文件内容"), null=True, blank=True, editable=False)
    error_file = models.BinaryField(_("错误工作簿"), null=True, blank=True, editable=False)
    # What the job page shows: counts, the first errors and their total, warnings, the job's own failure.
    outcome = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "导入记录")
        verbose_name_plural = pgettext_lazy("models", "导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def active(self):
        return self.state in (self.QUEUED, self.RUNNING)


class ImportPreviewPage(models.Model):
    """A page of a checked file's rows as the preview shows them: every row can be paged through without
    reading the file again. Rows: [{"row", "status", "cells", "changes"}]."""

    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="preview_pages")
    number = models.PositiveIntegerField(_("页码"))
    rows = models.JSONField(_("行"), default=list)

    class Meta:
        verbose_name = pgettext_lazy("model", "导入预览页")
        verbose_name_plural = pgettext_lazy("models", "导入预览页")
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="import_preview_page_unique")]
        ordering = ["record", "number"]

    def __str__(self):
        return f"{self.record_id}/{self.number}"
