"""One data row of a sheet, read through its columns; and finding the header row above the data."""

from django.utils.translation import gettext as _

from .columns import CONTROL_CHARACTERS
from .parsing import ParseError, clean_text, map_headers, split_values
from .results import RowError

HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in sheets localities send
SHOWN_VALUE = 60  # characters of a bad cell repeated in its error


def shown(value):
    """A cell as an error repeats it: control characters made visible, long text cut."""
    text = CONTROL_CHARACTERS.sub("\ufffd", clean_text(value))
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


class Row:
    """Cells by column name; ``get`` parses a cell through its column and records errors, never raises."""

    __slots__ = ("number", "values", "sheet", "errors")

    def __init__(self, number, values, sheet):
        self.number, self.values, self.sheet = number, values, sheet
        self.errors = []

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
        limits, or the parser's value; None (or '' for text) when empty or wrong, the error recorded."""
        column = self.sheet.column(name)
        raw = self.raw(name)
        if raw is None:
            if column.required:
                self.error(name, _("不能为空"))
            if column.many:
                return []
            return "" if column.parser is None else None
        if column.many:
            values = []
            for item in split_values(raw):
                value = self._read(column, item, args)
                if value is not None:
                    values.append(value)
            return values
        return self._read(column, raw, args)

    def _read(self, column, raw, args):
        if column.parser is None or column.max_length is not None:  # stored text (a new source's title too)
            text = clean_text(raw)
            problem = column.text_problem(text)
            if problem:
                self.error(column.name, problem, value=text)
                return None
            if column.parser is None:
                return text
        parser = column.parser
        if isinstance(parser, str):
            parser = getattr(self.sheet.lookups, parser)
        try:
            return parser(raw, *args)
        except ParseError as error:
            self.error(column.name, str(error), value=raw if column.many else None)
            return None


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
    if first[0] != number:
        result.warnings.append(_("表头在第 %(row)s 行；之前的行已忽略。") % {"row": number})
    headers = {name: clean_text(values[index]) for name, index in mapping.items()}
    for _index, text in unknown:
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
