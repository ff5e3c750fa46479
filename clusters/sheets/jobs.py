"""Admin imports as background jobs (Django's tasks API through the django-tasks backport, database backend).

An upload is saved as an ImportRecord (the file's bytes included, so a worker on another machine can read it)
and a task is queued to check it; the clerk watches the job page. A checked file with changes can be confirmed,
which queues the same record again to import it. The record holds the state (queued → running → done, or
cancelled, or failed), the progress, the outcome, the paged preview (ImportPreviewPage) and the error
workbook.

A worker that dies leaves nothing written (the write is one transaction) and a running job whose heartbeat
stops; ``mark_stale`` shows such a job failed once IMPORT_JOB_STALE_SECONDS pass. Cancelling sets a flag the
worker looks at between batches; a job marked failed or cancelled never commits its write (``before_commit``).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from clusters import scoping
from clusters.models import ImportPreviewPage, ImportRecord

from . import registry
from .errorbook import error_workbook, has_row_errors
from .results import UNCHANGED
from .services import ImportCancelled, Progress, run_import

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 1.0  # how often a running job stores its counters, refreshes its heartbeat, looks for a cancel

# Why a job failed, by code (stored), said in the language of whoever looks.
FAILURES = {
    "stale": lambda: _("任务进程停止了响应（可能已重启或崩溃）。没有写入任何数据，请重新上传。"),
    "error": lambda: _("任务意外出错，没有写入任何数据。请重新上传；若再次出错，请联系管理员。"),
    "user": lambda: _("上传这份文件的用户已不存在、已停用或不再有导入权限，任务没有运行。"),
}


def failure_message(record):
    code = (record.outcome or {}).get("failure")
    return FAILURES[code]() if code in FAILURES else ""


def start(record, language=None):
    """Queue ``record`` (saved, with its file and phase) for a worker."""
    record.state = ImportRecord.QUEUED
    record.cancel_requested = False
    # The database backend writes the task in the same transaction: a job is never saved without its task.
    with transaction.atomic():
        record.save()
        run_job.enqueue(record.pk, language or translation.get_language() or settings.LANGUAGE_CODE)


def confirm(record, language=None):
    """A checked file with changes: queue its import."""
    record.phase = ImportRecord.IMPORT
    record.rows_read = record.rows_checked = record.rows_written = 0
    record.started_at = record.finished_at = record.heartbeat_at = None
    start(record, language)


def cancel(record):
    """A queued job is cancelled at once; a running one when its worker next looks (between batches)."""
    queued = ImportRecord.objects.filter(pk=record.pk, state=ImportRecord.QUEUED)
    if _end(queued, ImportRecord.CANCELLED, cancel_requested=True):
        return
    ImportRecord.objects.filter(pk=record.pk, state=ImportRecord.RUNNING).update(cancel_requested=True)


def mark_stale(queryset=None):
    """Running jobs whose heartbeat stopped: their worker died. Nothing of theirs was committed; say so."""
    queryset = ImportRecord.objects.all() if queryset is None else queryset
    cutoff = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS)
    stale = queryset.filter(state=ImportRecord.RUNNING, heartbeat_at__lt=cutoff)
    if not stale.exists():  # a read: on SQLite an UPDATE would wait for a worker's write lock, even to do nothing
        return 0
    return _end(stale, ImportRecord.FAILED, outcome={"failure": "stale"})


def _end(queryset, state, **fields):
    """End the jobs of ``queryset`` in ``state`` (cancelled or failed); their file is no longer kept."""
    return queryset.update(state=state, finished_at=timezone.now(), file_data=None, **fields)


class JobProgress(Progress):
    """Stores the counters and the heartbeat at most every PROGRESS_SECONDS; raises ImportCancelled when the
    job was cancelled or given up for dead.

    The import phase checks and writes inside one transaction, where it only reads the record: an update there
    would lock the row until the commit, and the clerk's cancel would wait for the write it means to stop. On
    PostgreSQL the counters and the heartbeat of that phase go through a second connection of their own, so
    the job page sees the write advance; SQLite has one writer at a time, so there they wait for the commit."""

    def __init__(self, record):
        self.record = record
        self.writing = record.phase == ImportRecord.IMPORT
        self.last = 0.0
        self.side = None

    def close(self):
        if self.side is not None:
            self.side.close()
            self.side = None

    def started(self, total):
        self._store(force=True, rows_total=total or 0)

    def read(self, count):
        self._store(rows_read=count)

    def checked(self, count):
        self._look(rows_checked=count) if self.writing else self._store(rows_checked=count)

    def written(self, count):
        self._look(rows_written=count)

    def before_commit(self):
        # Locked until the commit: a job marked failed (stale) or cancelled meanwhile rolls back instead.
        live = ImportRecord.objects.select_for_update().filter(pk=self.record.pk, state=ImportRecord.RUNNING)
        if not live.filter(cancel_requested=False).exists():
            raise ImportCancelled
        live.update(heartbeat_at=timezone.now())

    def _due(self, force):
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_SECONDS:
            return False
        self.last = now
        return True

    def _live(self):
        """The job's record while it still runs and nobody asked to cancel it."""
        return ImportRecord.objects.filter(pk=self.record.pk, state=ImportRecord.RUNNING, cancel_requested=False)

    def _store(self, force=False, **counters):
        if not self._due(force):
            return
        if not self._live().update(heartbeat_at=timezone.now(), **counters):
            raise ImportCancelled

    def _look(self, **counters):
        if not self._due(False):
            return
        if not self._live().exists():
            raise ImportCancelled
        if connection.vendor == "postgresql":
            self._report_aside(counters)

    def _report_aside(self, counters):
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)  # autocommit: seen at once
        columns = ", ".join(f"{self.side.ops.quote_name(name)} = %s" for name in counters)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportRecord._meta.db_table} SET {columns}, heartbeat_at = %s WHERE id = %s AND state = %s",
                [*counters.values(), timezone.now(), self.record.pk, ImportRecord.RUNNING],
            )


@task()
def run_job(record_id, language=settings.LANGUAGE_CODE):
    """Run the queued phase (check or import) of ImportRecord ``record_id``."""
    now = timezone.now()
    claimed = ImportRecord.objects.filter(pk=record_id, state=ImportRecord.QUEUED).update(
        state=ImportRecord.RUNNING, started_at=now, heartbeat_at=now, finished_at=None
    )
    if not claimed:  # cancelled before a worker took it
        return
    record = ImportRecord.objects.select_related("user").get(pk=record_id)
    with translation.override(language):
        if not _may_import(record):
            _finish_failed(record, "user")
            return
        progress = JobProgress(record)
        try:
            result = run_import(
                record.kind,
                bytes(record.file_data or b""),
                record.file_name,
                user=record.user,  # the write scope is the job's user's, through the same checks as any import
                dry_run=record.phase == ImportRecord.CHECK,
                publisher=record.publisher,
                via=record.via,
                progress=progress,
                job=record,
                keep_rows=record.phase == ImportRecord.CHECK,
            )
            _finish(record, result)
        except Exception:
            logger.exception("Import job %s failed", record_id)
            _finish_failed(record, "error")
        finally:
            progress.close()


def _may_import(record):
    """What the admin's import button asks of the uploader (add and change the sheet's model), asked again when
    the job runs, through the one write rule; each row's scope is checked by the import itself."""
    if record.user is None:
        return False
    model = registry.get(record.kind).model
    try:
        for action in ("add", "change"):
            scoping.check_write(record.user, model, action)
    except PermissionDenied:
        return False
    return True


def _finish_failed(record, code):
    _end(ImportRecord.objects.filter(pk=record.pk), ImportRecord.FAILED, outcome={"failure": code})


def _finish(record, result):
    checking = record.phase == ImportRecord.CHECK
    record.state = ImportRecord.CANCELLED if result.cancelled else ImportRecord.DONE
    record.finished_at = record.heartbeat_at = timezone.now()
    record.rows_read = result.data_rows
    record.rows_checked = result.total
    record.rows_written = (result.new + result.updated) if result.committed else 0
    record.outcome = outcome(result)
    keep_file = checking and result.ok and not result.cancelled and bool(result.new or result.updated)
    fields = [
        "state",
        "finished_at",
        "heartbeat_at",
        "rows_read",
        "rows_checked",
        "rows_written",
        "outcome",
        "dry_run",
        "committed",
        "new_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "error_summary",
        "error_file",
        "file_data",
    ]
    if checking and not result.ok and has_row_errors(result):
        record.error_file = error_workbook(bytes(record.file_data), record.kind, result)
    if checking and result.ok and not result.cancelled:
        _store_preview(record, result)
    if not keep_file:
        record.file_data = None
    with transaction.atomic():
        # A job given up for dead meanwhile stays failed: its check's findings are not shown as its outcome.
        if checking and not ImportRecord.objects.filter(pk=record.pk, state=ImportRecord.RUNNING).exists():
            return
        record.save(update_fields=fields)


def outcome(result):
    return {
        "sheet": result.sheet,
        "counts": dict(result.counts),
        "errors": [[e.row, e.column, e.value, e.message, e.english] for e in result.errors],
        "error_count": result.error_count,
        "error_rows": result.error_rows,
        "warnings": [str(warning) for warning in result.warnings],
        "created_sources": list(result.created_sources),
        "headers": list(result.headers),
        "cancelled": result.cancelled,
    }


def _store_preview(record, result):
    """Every data row with its cells and what the import would do with it, a page at a time."""
    record.preview_pages.all().delete()
    statuses = result.statuses
    size = settings.IMPORT_PREVIEW_PAGE_SIZE
    pages, rows = [], []
    for number, cells in result.rows:
        status, changes = statuses.get(number, (UNCHANGED, ()))
        rows.append({"row": number, "status": status, "cells": cells, "changes": [list(c) for c in changes]})
        if len(rows) == size:
            pages.append(ImportPreviewPage(record=record, number=len(pages) + 1, rows=rows))
            rows = []
    if rows:
        pages.append(ImportPreviewPage(record=record, number=len(pages) + 1, rows=rows))
    ImportPreviewPage.objects.bulk_create(pages, batch_size=200)
