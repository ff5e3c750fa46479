"""One data row of a sheet, read through its columns; and finding the header row above the data."""

from django.utils.translation import gettext as _

from .columns import CONTROL_CHARACTERS
from .parsing import ParseError, clean_text, map_headers, split_values
from .results import RowError

ERROR_HEADER = "错误"  # the column the error workbook adds; an import ignores it without a word
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in sheets localities send
SHOWN_VALUE = 60  # characters of a bad cell repeated in its error


def shown(value):
    """A cell as an error repeats it: control characters made visible, long text cut."""
    text = CONTROL_CHARACTERS.sub("\ufffd", clean_text(value))
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


class Row:
    """Cells by column name; ``get`` parses a cell through its column and records errors, never raises."""

    __slots__ = ("number", "values", "sheet", "errors", "failed")

    def __init__(self, number, values, sheet):
        self.number, self.values, self.sheet = number, values, sheet
        self.errors = []
        self.failed = set()  # the columns with an error

    def has(self, name):
        return name in self.sheet.mapping

    def raw(self, name):
        index = self.sheet.mapping.get(name)
        if index is None or index >= len(self.values):
            return None
        value = self.values[index]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, name):
        return clean_text(self.raw(name))

    def error(self, name, message, value=None):
        self.failed.add(name)
        column = self.sheet.column(name)
        self.errors.append(
            RowError(
                self.number,
                self.sheet.headers.get(name, column.header if column else name),
                shown(self.raw(name) if value is None else value),
                CONTROL_CHARACTERS.sub("\ufffd", str(message)),
                column.english if column else "",
            )
        )

    def get(self, name, *args):
        """The cell of column ``name`` as its column reads it: text checked against the model field's
        limits, or the parser's value; None (or '' for text, [] for a list) when empty or wrong, the error
        recorded. The reader is the sheet's, chosen once per file (``Sheet.prepare``)."""
        reader = self.sheet.readers.get(name)
        if reader is None:  # the file has no such column
            return self.sheet.column(name).empty
        index, column, read = reader
        raw = self.values[index] if index < len(self.values) else None
        if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
            if column.required:
                self.error(name, _("不能为空"))
            return column.empty
        if column.many:
            values = []
            for item in split_values(raw):
                try:
                    values.append(read(item, *args))
                except ParseError as error:
                    self.error(name, str(error), value=item)
            return values
        try:
            return read(raw, *args)
        except ParseError as error:
            self.error(name, str(error))
            return None

    def cells(self):
        """Every column's value at once, read as ``get`` reads one (absent columns: their empty value):
        one call per row instead of one per cell, for the sheets that import many thousands of rows."""
        cells = self.sheet.empty_cells.copy()
        values, count = self.values, len(self.values)
        for name, index, required, many, read in self.sheet.plan:
            raw = values[index] if index < count else None
            if raw is None or (raw.__class__ is str and (not raw or raw.isspace())):
                if required:
                    self.error(name, _("不能为空"))
                continue
            if many:
                cells[name] = self.get(name)
                continue
            try:
                cells[name] = read(raw)
            except ParseError as error:
                self.error(name, str(error))
                cells[name] = None
        return cells


def reader(column, lookups):
    """How a column's cell becomes a value: ``function(cell, *args)``, raising ParseError.

    Stored text is cleaned and checked against the model field's limits (a lookup column with a
    ``max_length`` too: a 来源 the portal lacks becomes a new source's title); a parser named by a string
    is the file's ``Lookups`` method of that name.
    """
    looked_up = isinstance(column.parser, str)
    parse = getattr(lookups, column.parser) if looked_up else column.parser
    if parse is not None and column.max_length is None:
        return _once(parse) if looked_up else parse

    def read(raw, *args):
        text = clean_text(raw)
        problem = column.text_problem(text)
        if problem:
            raise ParseError(problem)
        return text if parse is None else parse(raw, *args)

    return read if parse is None else _once(read)


def _once(read):
    """``read`` answering each cell text once per file: a looked-up name repeats down the sheet (a cluster
    or a source named on every row). Calls with arguments are not remembered."""
    answers, refusals = {}, {}

    def read_once(raw, *args):
        if not args:
            try:
                return answers[raw]
            except KeyError:
                if raw in refusals:
                    raise ParseError(refusals[raw]) from None
        try:
            answer = read(raw, *args)
        except ParseError as error:
            if not args and len(refusals) < MEMO_LIMIT:
                refusals[raw] = str(error)
            raise
        if not args and len(answers) < MEMO_LIMIT:
            answers[raw] = answer
        return answer

    return read_once


MEMO_LIMIT = 10_000


def find_header(rows, sheet, result):
    """Consume rows up to and including the header row; -> (mapping, headers) or None for an empty sheet.

    mapping: {column name: cell index}; headers: {column name: the header as the file writes it}.
    """
    first = None
    for _number_seen, (number, values) in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
        if not any(clean_text(v) for v in values):
            continue
        mapping, unknown, duplicates = map_headers(values, sheet.columns)
        if first is None:
            first = (number, values, mapping, unknown, duplicates)
        if all(column.name in mapping for column in sheet.columns if column.required):
            return _accept_header(number, values, mapping, unknown, duplicates, sheet, result, first)
    if first is None:
        return None
    return _accept_header(*first, sheet, result, first)


def _accept_header(number, values, mapping, unknown, duplicates, sheet, result, first):
    result.header_row = number
    if first[0] != number:
        result.warnings.append(_("表头在第 %(row)s 行；之前的行已忽略。") % {"row": number})
    headers = {name: clean_text(values[index]) for name, index in mapping.items()}
    for _index, text in unknown:
        if text == ERROR_HEADER:  # the error workbook's own column, uploaded again once fixed
            continue
        result.warnings.append(_("未知的列“%(column)s”，已忽略。") % {"column": shown(text)})
    for _index, text in duplicates:
        result.add_error(RowError(number, shown(text), "", _("列重复：这一列与前面的列指同一字段。")))
    for column in sheet.columns:
        if column.required and column.name not in mapping:
            result.add_error(
                RowError(
                    number,
                    column.header,
                    "",
                    _("缺少必填列“%(header)s”（%(name)s）。") % {"header": column.header, "name": column.name},
                    column.english,
                )
            )
    return mapping, headers
