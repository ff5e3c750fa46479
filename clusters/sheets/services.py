"""The import: read once, resolve references once, validate every row in memory, write in bulk or not at all.

    result = run_import("indicator-values", data, file_name="2023年报送.xlsx", user=request.user)
    if not result.ok: show result.errors  # nothing was written

The admin's upload → preview → confirm and ``manage.py import_sheet`` both call ``run_import``.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clusters.bulk import change_reason
from portal.caching import bump_data_version

from .handlers import KINDS, get_handler
from .lookups import Lookups
from .parsing import ParseError, clean_text, map_headers
from .reading import FileRejected, read_sheet
from .results import NEW, UNCHANGED, UPDATED, ImportResult, RowError, RowOutcome

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in sheets localities send


class Row:
    """One data row: cell access by column name; parse errors are collected, never raised."""

    __slots__ = ("number", "values", "mapping", "headers", "template_headers", "errors")

    def __init__(self, number, values, mapping, headers, template_headers=None):
        self.number, self.values, self.mapping, self.headers = number, values, mapping, headers
        self.template_headers = template_headers or {}
        self.errors = []

    def has(self, name):
        return name in self.mapping

    def raw(self, name):
        index = self.mapping.get(name)
        if index is None or index >= len(self.values):
            return None
        value = self.values[index]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, name):
        return clean_text(self.raw(name))

    def error(self, name, message, value=None):
        value = clean_text(self.raw(name)) if value is None else value
        header = self.template_headers.get(name, "")
        self.errors.append(RowError(self.number, self.headers.get(name, name), value, str(message), header))

    def parse(self, name, parser, *args, required=False):
        """parser(raw, *args) or None for an empty cell; an error is recorded and None returned."""
        raw = self.raw(name)
        if raw is None:
            if required:
                self.error(name, _("不能为空"))
            return None
        try:
            return parser(raw, *args)
        except ParseError as error:
            self.error(name, str(error))
            return None


def _find_header(rows, handler, result):
    """Consume rows up to and including the header row; -> (row number, mapping, headers) or None."""
    first = None
    for _number_seen, (number, values) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        if not any(clean_text(v) for v in values):
            continue
        mapping, unknown, duplicates = map_headers(values, handler.columns)
        if first is None:
            first = (number, values, mapping, unknown, duplicates)
        if all(column.name in mapping for column in handler.columns if column.required):
            return _accept_header(number, values, mapping, unknown, duplicates, handler, result, first)
    if first is None:
        return None
    return _accept_header(*first, handler, result, first)


def _accept_header(number, values, mapping, unknown, duplicates, handler, result, first):
    if first[0] != number:
        result.warnings.append(_("表头在第 %(row)s 行；之前的行已忽略。") % {"row": number})
    headers = {name: clean_text(values[index]) for name, index in mapping.items()}
    for _index, text in unknown:
        result.warnings.append(_("未知的列“%(column)s”，已忽略。") % {"column": text})
    for _index, text in duplicates:
        result.errors.append(RowError(number, text, "", _("列重复：这一列与前面的列指同一字段。")))
    for column in handler.columns:
        if column.required and column.name not in mapping:
            result.errors.append(
                RowError(
                    number,
                    column.header,
                    "",
                    _("缺少必填列“%(header)s”（%(name)s）。") % {"header": column.header, "name": column.name},
                    column.header,
                )
            )
    return number, mapping, headers


def run_import(kind, data, file_name="", user=None, dry_run=False, publisher="", via="command"):
    """Import ``data`` (bytes of an xlsx or csv file) as ``kind``; -> ImportResult. Never raises for bad input."""
    handler_class = get_handler(kind)
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run)
    lookups = Lookups(file_name=file_name, publisher=publisher or _user_label(user))
    reason = change_reason(_("表格导入：%(name)s") % {"name": file_name or kind})
    handler = handler_class(lookups, user=user, reason=reason)
    try:
        with transaction.atomic():
            _run(handler, data, result)
            if result.ok and not dry_run:
                _write(handler, lookups, result)
                result.committed = True
    except FileRejected as error:
        result.errors.append(RowError(None, "", "", error.message))
    except IntegrityError:
        # Someone saved one of these records between our check and our write (two clerks, one sheet).
        logger.warning("Import of %s collided with a concurrent change", file_name, exc_info=True)
        result.outcomes.clear()
        result.errors.append(
            RowError(None, "", "", _("导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。"))
        )
    result.created_sources = [source.title for source in lookups.pending_sources.values()]
    result.record = _record(result, user, via)
    return result


def _run(handler, data, result):
    sheet = read_sheet(data, sheet_names=handler.sheet_names)
    result.sheet = sheet.name
    rows = iter(sheet.rows)
    header = _find_header(rows, handler, result)
    if header is None:
        raise FileRejected(_("工作表“%(name)s”是空的。") % {"name": sheet.name})
    header_row, mapping, headers = header
    if not result.ok:
        result.warnings.extend(sheet.warnings)
        return
    width = max(mapping.values()) + 1
    template_headers = {column.name: column.header for column in handler.columns}
    seen = {}
    data_rows = 0
    for number, values in rows:
        values = values[:width]
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            continue
        data_rows += 1
        row = Row(number, values, mapping, headers, template_headers)
        parsed = handler.parse(row)
        if parsed is not None and not row.errors:
            key, fields = parsed
            if key in seen:
                row.error(
                    handler.key_column,
                    _("与第 %(row)s 行重复（%(key)s 相同的只能有一行）。")
                    % {"row": seen[key], "key": handler.key_label},
                )
            else:
                seen[key] = number
                handler.accept(row.number, key, fields)
        result.errors.extend(row.errors)
    for problem in sheet.problems:  # merged cells and uncomputed formulas, found while reading
        name = next((name for name in headers if mapping[name] == problem.column), None)
        column, header = (headers[name], template_headers.get(name, "")) if name else ("", "")
        result.errors.append(RowError(problem.row, column, "", problem.message, header))
    result.warnings.extend(sheet.warnings)
    if data_rows == 0 and result.ok:
        raise FileRejected(_("文件只有表头，没有数据行。"))
    result.errors.sort(key=lambda e: e.row or 0)
    if result.ok:
        for outcome in handler.compare():
            result.outcomes.append(outcome)


def _write(handler, lookups, result):
    if not any(outcome.status in (NEW, UPDATED) for outcome in result.outcomes):
        return
    lookups.create_pending_sources()
    handler.write()
    transaction.on_commit(bump_data_version)  # bulk writes send no signals: cached pages must go stale


def _user_label(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name() or user.get_username()


def _record(result, user, via):
    from clusters.models import ImportRecord

    try:
        return ImportRecord.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            file_name=result.file_name[:255],
            kind=result.kind,
            via=via,
            dry_run=result.dry_run,
            committed=result.committed,
            new_count=result.new,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            error_count=len(result.errors),
            error_summary="\n".join(str(e) for e in result.errors[:200]),
        )
    except Exception:  # the log must never turn a good import into a traceback
        logger.exception("Could not record the import of %s", result.file_name)
        return None


__all__ = ["KINDS", "NEW", "UNCHANGED", "UPDATED", "RowOutcome", "run_import"]
