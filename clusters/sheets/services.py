"""The import: read once, resolve references once, validate every row in memory, write in bulk or not at all.

    result = run_import("indicator-values", data, file_name="2023年报送.xlsx", user=request.user)
    if not result.ok: show result.errors  # nothing was written

The admin's jobs (``jobs.py``: check, then import once confirmed) and ``manage.py import_sheet`` call ``run_import``.
"""

import gc
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clusters.bulk import change_reason
from portal.caching import bump_data_version

from . import registry
from .columns import CONTROL_CHARACTERS
from .lookups import Lookups
from .reading import FileRejected, read_sheet
from .results import NEW, UPDATED, ImportResult, RowError
from .rows import Row, find_header, shown

logger = logging.getLogger(__name__)

ERROR_SUMMARY_LINES = 200  # errors kept in the import log


class ImportCancelled(Exception):
    """Raised by a job's progress when the clerk cancelled it (or it was given up for dead): nothing is written."""


class Progress:
    """What a running import reports, every ``EVERY`` rows and at each step's end; this one reports nothing.
    A job's progress (``jobs.JobProgress``) stores it and raises ImportCancelled between batches."""

    EVERY = 1000

    def started(self, total):
        """``total``: the data rows to expect, as far as the reader knows before reading (None: unknown)."""

    def read(self, count):
        pass

    def checked(self, count):
        pass

    def written(self, count):
        pass

    def before_commit(self):
        """The last word before the write commits: raise ImportCancelled to roll it back."""


def run_import(
    kind,
    data,
    file_name="",
    user=None,
    dry_run=False,
    publisher="",
    via="command",
    *,
    progress=None,
    job=None,
    keep_rows=False,
):
    """Import ``data`` (bytes of a spreadsheet file) as ``kind``; -> ImportResult. Never raises for bad input.

    ``progress``: a Progress. ``job``: the ImportRecord of an admin job, updated instead of a new record
    created. ``keep_rows``: also keep every data row's cells and outcome (the job's paged preview) and every
    failed row's messages (the error workbook).
    """
    progress = progress or Progress()
    sheet_class = registry.get(kind)
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run, error_limit=settings.IMPORT_MAX_ERRORS)
    if keep_rows:
        result.keep_rows()
    lookups = Lookups(publisher=publisher)
    reason = change_reason(_("表格导入：%(name)s") % {"name": file_name or kind})
    sheet = sheet_class(lookups, user=user, reason=reason)
    sheet.progress = progress
    with _heap_frozen():
        try:
            _run(sheet, data, result, progress)
            if result.ok and dry_run:
                _compare(sheet, result, progress)
            elif result.ok:
                # The comparison and the write are one transaction: a worker that dies, a cancel or a collision
                # leaves nothing written.
                with transaction.atomic():
                    _compare(sheet, result, progress)
                    _write(sheet, lookups, result)
                    progress.before_commit()
                result.committed = True
        except FileRejected as error:
            result.add_error(RowError(None, "", "", error.message))
        except ImportCancelled:
            result.cancelled = True
            result.clear_outcomes()
        except IntegrityError:
            # Someone saved one of these records between our check and our write (two clerks, one sheet).
            logger.warning("Import of %s collided with a concurrent change", file_name, exc_info=True)
            result.clear_outcomes()
            result.add_error(
                RowError(None, "", "", _("导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。"))
            )
    result.created_sources = [source.title for source in lookups.pending_sources.values()]
    result.record = _record(result, user, via, job)
    return result


@contextmanager
def _heap_frozen():
    """CPython's full collections walk every live object, and an import allocates some hundreds of thousands
    while the process's own (Django, its modules: about 275,000) stay as they are. Frozen for the import,
    those are left out of the walks: a fresh process's unchanged re-import of 10,000 rows went from 0.25 to
    0.19 s (its one fetch of the stored rows from 64 to 13 ms). Cycles the import makes are still collected."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run(sheet, data, result, progress):
    table = read_sheet(data, sheet_names=registry.worksheet_names(sheet.kind))
    result.sheet = table.name
    progress.started(max(table.total - 1, 0) if table.total else None)  # less the header: the data rows, nearly
    rows = iter(table.rows)
    header = find_header(rows, sheet, result)
    if header is None:
        raise FileRejected(_("工作表“%(name)s”是空的。") % {"name": table.name})
    sheet.prepare(*header)
    if not result.ok:
        result.warnings.extend(table.warnings)
        return
    width = max(sheet.mapping.values()) + 1
    columns_at = {index: name for name, index in sheet.mapping.items()}
    shown_at = [index for column in sheet.columns if (index := sheet.mapping.get(column.name)) is not None]
    if result.rows is not None:
        result.headers = [sheet.headers[columns_at[index]] for index in shown_at]
    problems = {}
    known = len(table.problems)
    for problem in table.problems:  # merged cells and uncomputed formulas, reported with their row
        problems.setdefault(problem.row, []).append(problem)
    seen = {}
    data_rows = 0
    every = progress.EVERY
    for number, values in rows:
        values = values[:width]
        if not values or (values[0].__class__ is str and not values[0].strip() and _blank(values)):
            continue
        data_rows += 1
        if data_rows % every == 0:
            progress.read(data_rows)
        row = Row(number, values, sheet)
        if result.rows is not None:
            result.rows.append((number, [shown(values[i]) if i < len(values) else "" for i in shown_at]))
        parsed = sheet.parse(row)
        if parsed is not None and not row.errors:
            key, fields = parsed
            if key in seen:
                row.error(
                    sheet.key_column,
                    _("与第 %(row)s 行重复（%(key)s 相同的只能有一行）。") % {"row": seen[key], "key": sheet.key_label},
                )
            else:
                seen[key] = number
                sheet.accept(number, key, fields)
        for problem in problems.pop(number, ()) if problems else ():
            name = columns_at.get(problem.column)
            row.errors.append(RowError(number, sheet.headers.get(name, ""), "", problem.message, _english(sheet, name)))
        for error in row.errors:
            result.add_error(error)
    # Problems on rows that hold no data, and those a reader found only while reading.
    for problem in [*(p for row_problems in problems.values() for p in row_problems), *table.problems[known:]]:
        name = columns_at.get(problem.column)
        result.add_error(RowError(problem.row, sheet.headers.get(name, ""), "", problem.message, _english(sheet, name)))
    result.warnings.extend(table.warnings)
    result.data_rows = data_rows
    progress.read(data_rows)
    if data_rows == 0 and result.ok:
        raise FileRejected(_("文件只有表头，没有数据行。"))


def _blank(values):
    """Whether a row holds nothing: readers give "" for an empty cell; a row is seldom blank, so the first
    cell usually answers."""
    return all(value.__class__ is str and (value == "" or value.isspace()) for value in values)


def _compare(sheet, result, progress):
    sheet.describe_new = result.statuses is not None  # only a job's preview lists every row
    checked = 0
    every = progress.EVERY
    statuses = result.statuses
    for number, status, key, changes in sheet.compare():
        if statuses is not None:
            changes = list(changes)
            statuses[number] = (status, changes)
        result.add_outcome(number, status, lambda key=key: sheet.label(key), changes)
        checked += 1
        if checked % every == 0:
            progress.checked(checked)
    progress.checked(checked)


def _english(sheet, name):
    column = sheet.column(name) if name else None
    return column.english if column else ""


def _write(sheet, lookups, result):
    if not (result.counts[NEW] or result.counts[UPDATED]):
        return
    lookups.create_pending_sources()
    sheet.write()
    sheet.progress.written(result.new + result.updated)
    transaction.on_commit(bump_data_version)  # bulk writes send no signals: cached pages must go stale


def _record(result, user, via, job=None):
    from clusters.models import ImportRecord

    summary = "\n".join(str(e) for e in result.errors[:ERROR_SUMMARY_LINES])
    if result.error_count > ERROR_SUMMARY_LINES:
        summary += "\n" + _("……共 %(count)s 处错误") % {"count": result.error_count}
    fields = {
        "dry_run": result.dry_run,
        "committed": result.committed,
        "new_count": result.new,
        "updated_count": result.updated,
        "unchanged_count": result.unchanged,
        "error_count": result.error_count,
        "error_summary": CONTROL_CHARACTERS.sub("\ufffd", summary),
    }
    try:
        if job is not None:  # the job's own record: the job (jobs.py) saves it with its state
            for name, value in fields.items():
                setattr(job, name, value)
            return job
        return ImportRecord.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            file_name=CONTROL_CHARACTERS.sub("\ufffd", result.file_name)[:255],
            kind=result.kind,
            via=via,
            **fields,
        )
    except Exception:  # the log must never turn a good import into a traceback
        logger.exception("Could not record the import of %s", result.file_name)
        return None


__all__ = ["ImportCancelled", "Progress", "run_import"]
