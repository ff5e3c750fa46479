"""The import: read once, resolve references once, validate every row in memory, write in bulk or not at all.

    result = run_import("indicator-values", data, file_name="2023年报送.xlsx", user=request.user)
    if not result.ok: show result.errors  # nothing was written

The admin's upload → preview → confirm and ``manage.py import_sheet`` both call ``run_import``.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clusters.bulk import change_reason
from portal.caching import bump_data_version

from . import registry
from .columns import CONTROL_CHARACTERS
from .lookups import Lookups
from .reading import FileRejected, read_sheet
from .results import NEW, UPDATED, ImportResult, RowError, RowOutcome
from .rows import Row, find_header

logger = logging.getLogger(__name__)

ERROR_SUMMARY_LINES = 200  # errors kept in the import log


def run_import(kind, data, file_name="", user=None, dry_run=False, publisher="", via="command"):
    """Import ``data`` (bytes of a spreadsheet file) as ``kind``; -> ImportResult. Never raises for bad input."""
    sheet_class = registry.get(kind)
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run, error_limit=settings.IMPORT_MAX_ERRORS)
    lookups = Lookups(publisher=publisher)
    reason = change_reason(_("表格导入：%(name)s") % {"name": file_name or kind})
    sheet = sheet_class(lookups, user=user, reason=reason)
    try:
        with transaction.atomic():
            _run(sheet, data, result)
            if result.ok and not dry_run:
                _write(sheet, lookups, result)
                result.committed = True
    except FileRejected as error:
        result.add_error(RowError(None, "", "", error.message))
    except IntegrityError:
        # Someone saved one of these records between our check and our write (two clerks, one sheet).
        logger.warning("Import of %s collided with a concurrent change", file_name, exc_info=True)
        result.clear_outcomes()
        result.add_error(RowError(None, "", "", _("导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。")))
    result.created_sources = [source.title for source in lookups.pending_sources.values()]
    result.record = _record(result, user, via)
    return result


def _run(sheet, data, result):
    table = read_sheet(data, sheet_names=registry.worksheet_names(sheet.kind))
    result.sheet = table.name
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
    problems = {}
    known = len(table.problems)
    for problem in table.problems:  # merged cells and uncomputed formulas, reported with their row
        problems.setdefault(problem.row, []).append(problem)
    seen = {}
    data_rows = 0
    for number, values in rows:
        values = values[:width]
        if not "".join(map(str, values)).strip():  # readers give "" for an empty cell, never None
            continue
        data_rows += 1
        row = Row(number, values, sheet)
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
        for problem in problems.pop(number, ()):
            name = columns_at.get(problem.column)
            row.errors.append(RowError(number, sheet.headers.get(name, ""), "", problem.message, _english(sheet, name)))
        for error in row.errors:
            result.add_error(error)
    # Problems on rows that hold no data, and those a reader found only while reading.
    for problem in [*(p for row_problems in problems.values() for p in row_problems), *table.problems[known:]]:
        name = columns_at.get(problem.column)
        result.add_error(RowError(problem.row, sheet.headers.get(name, ""), "", problem.message, _english(sheet, name)))
    result.warnings.extend(table.warnings)
    if data_rows == 0 and result.ok:
        raise FileRejected(_("文件只有表头，没有数据行。"))
    if result.ok:
        for number, status, key, changes in sheet.compare():
            label = sheet.label(key) if result.keeps(status) else ""
            result.add_outcome(RowOutcome(number, status, label, list(changes)))


def _english(sheet, name):
    column = sheet.column(name) if name else None
    return column.english if column else ""


def _write(sheet, lookups, result):
    if not (result.counts[NEW] or result.counts[UPDATED]):
        return
    lookups.create_pending_sources()
    sheet.write()
    transaction.on_commit(bump_data_version)  # bulk writes send no signals: cached pages must go stale


def _record(result, user, via):
    from clusters.models import ImportRecord

    summary = "\n".join(str(e) for e in result.errors[:ERROR_SUMMARY_LINES])
    if result.error_count > ERROR_SUMMARY_LINES:
        summary += "\n" + _("……共 %(count)s 处错误") % {"count": result.error_count}
    try:
        return ImportRecord.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            file_name=CONTROL_CHARACTERS.sub("\ufffd", result.file_name)[:255],
            kind=result.kind,
            via=via,
            dry_run=result.dry_run,
            committed=result.committed,
            new_count=result.new,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            error_count=result.error_count,
            error_summary=CONTROL_CHARACTERS.sub("\ufffd", summary),
        )
    except Exception:  # the log must never turn a good import into a traceback
        logger.exception("Could not record the import of %s", result.file_name)
        return None


__all__ = ["run_import"]
