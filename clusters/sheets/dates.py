"""Dates and periods as clerks write them, or Excel stores them; pure functions like ``parsing``'s."""

import datetime as dt
import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clusters.periods import validate_period

from .parsing import ParseError, normalize_text

EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial_to_date(serial):
    """Excel's 1900 date system: 44277 -> 2021-03-22 (serials below 61 predate the leap-year bug)."""
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _checked_date(year, month, day, original):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as error:
        raise ParseError(_("“%(text)s”不是有效日期") % {"text": original}) from error


def parse_date(value):
    """'2021-03-22', '2021/3/22', '2021.3.22', '2021年3月22日', '20210322' -> date;
    '2021年3月', '2021-03' -> the first of that month; Excel dates and serials (44277) -> date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer() and not 1900 <= value <= 2100:
            return excel_serial_to_date(value)
        raise ParseError(_("“%(text)s”不是日期") % {"text": normalize_text(value)})
    original = normalize_text(value)
    text = original.replace(" ", "")
    if not text:
        raise ParseError(_("不能为空"))
    match = re.fullmatch(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(T.*|[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?", text)
    if not match:
        match = re.fullmatch(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]?", text)
    if not match:
        match = re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})", text)
    if match:
        return _checked_date(match[1], match[2], match[3], original)
    match = re.fullmatch(r"([0-9]{4})年([0-9]{1,2})月(份)?|([0-9]{4})[-/.]([0-9]{1,2})", text)
    if match:
        year, month = (match[1], match[2]) if match[1] else (match[4], match[5])
        return _checked_date(year, month, 1, original)
    if re.fullmatch(r"[0-9]{5}(\.0+)?", text):
        return excel_serial_to_date(float(text))
    raise ParseError(_("“%(text)s”不是日期（例如 2021-03-22、2021/3/22、2021年3月22日）") % {"text": original})


_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@functools.lru_cache(maxsize=1024)
def parse_period(value):
    """An indicator value's period -> '2020', '2020-06', '2020-Q2' or '2020-H1'.

    Accepts 2020, '2020年', '2020-6', '2020年6月', '2020-Q2', '2020Q2', '2020年第二季度', '2020年二季度',
    '2020-H1', '2020年上半年', and Excel dates (taken as their month).
    """
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    original = normalize_text(value)
    text = original.replace(" ", "").upper()
    if not text:
        raise ParseError(_("不能为空"))
    year = month = quarter = half = None
    if match := re.fullmatch(r"([0-9]{4})年?(度)?", text):
        year = match[1]
    elif match := re.fullmatch(r"([0-9]{4})(?:年|[-/.])([0-9]{1,2})月?(份)?", text):
        year, month = match[1], int(match[2])
    elif match := re.fullmatch(r"([0-9]{4})(?:年|-)?(?:第)?(?:Q([1-4])|([一二三四1-4])季度)", text):
        year, quarter = match[1], _CHINESE_QUARTERS[match[2] or match[3]]
    elif match := re.fullmatch(r"([0-9]{4})(?:年|-)?(?:H([12])|([上下])半年)", text):
        year, half = match[1], int(match[2]) if match[2] else (1 if match[3] == "上" else 2)
    elif re.fullmatch(r"[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}[日号]?", text):
        date = parse_date(text)  # a full date names its month
        year, month = str(date.year), date.month
    else:
        raise ParseError(_("“%(text)s”不是期间（例如 2020、2020-06、2020-Q2、2020年上半年）") % {"text": original})
    if month is not None and not 1 <= month <= 12:
        raise ParseError(_("“%(text)s”的月份无效") % {"text": original})
    if month is not None:
        period = f"{year}-{month:02d}"
    elif quarter is not None:
        period = f"{year}-Q{quarter}"
    elif half is not None:
        period = f"{year}-H{half}"
    else:
        period = year
    try:
        validate_period(period)  # the models' own rule: whatever the import accepts, the database accepts
    except ValidationError as error:
        raise ParseError(error.messages[0]) from error
    return period
