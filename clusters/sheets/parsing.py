r"""Pure functions that turn a clerk's cell into a value, or raise ``ParseError`` with a plain reason.

No database, no Django models: every function takes text (or what the spreadsheet reader hands over:
str, int, float, bool, date, datetime, time) and returns a Python value, so the table-driven tests in
``tests/test_import_parsing.py`` call them directly. Digits are ASCII ``[0-9]`` (full-width ones are folded
first); ``\d`` would also take ``٢٠٢٤``.
"""

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clusters.choices import Qualifier
from clusters.formatting import plain
from clusters.periods import MAX_YEAR, MIN_YEAR


class ParseError(ValueError):
    """A cell that cannot be read; ``str(error)`` is the reason shown to the clerk."""


# ---------------------------------------------------------------------------------------------- text


def clean_text(value):
    """Cell -> text as the clerk wrote it, trimmed: '' for empty; Excel's integral floats (440300.0) -> '440300'.

    Used for what is stored (names, titles, descriptions), so full-width brackets and line breaks survive.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip(" \t\n\u3000\xa0")
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # an export's guard against formula injection
    return text


def normalize_text(value):
    """Cell -> text for parsing: trimmed, full-width ASCII folded (１２３，４ -> 123,4), spaces collapsed."""
    text = clean_text(value).translate(_FULLWIDTH).replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


# Full-width ！..～ (U+FF01..U+FF5E) -> their ASCII forms.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def lookup_key(value):
    """The form names are compared in: folded, trimmed, inner spaces removed, latin lower-cased."""
    text = normalize_text(value)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).lower()


_SEPARATORS = re.compile(r"\s*[、，,;；\n]\s*")


def join_list(items):
    """'国家级、省级' in Chinese, 'national, provincial' in English: how a message lists several names."""
    return pgettext("列表分隔符", "、").join(str(item) for item in items)


def split_values(value):
    """'广州、深圳,佛山；东莞' -> ['广州', '深圳', '佛山', '东莞']; empties and repeats dropped, order kept."""
    seen, items = set(), []
    for part in _SEPARATORS.split(clean_text(value)):
        part = part.strip(" \t\u3000\xa0")
        if part and lookup_key(part) not in seen:
            seen.add(lookup_key(part))
            items.append(part)
    return items


# ------------------------------------------------------------------------------------------- headers


def normalize_header(value):
    """Header cell -> comparison form: '  集群名称（必填）* ' -> '集群名称', 'Target Value' -> 'target_value'."""
    text = unicodedata.normalize("NFKC", normalize_text(value))
    text = re.sub(r"[(\[]\s*(必填|选填|可选|required|optional)\s*[)\]]", "", text, flags=re.IGNORECASE)
    text = text.replace("*", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def map_headers(cells, columns):
    """Match a header row against column definitions.

    ``columns`` is a sequence of objects with ``name`` (English field name), ``header`` (Chinese) and
    ``aliases``. Returns ``(mapping, unknown, duplicates)``: mapping is {column name: cell index};
    unknown is the list of (index, text) of non-empty headers that match nothing; duplicates the list of
    (index, text) of headers naming a column already seen.
    """
    lookup = {}
    for column in columns:
        for alias in (column.name, column.header, *column.aliases):
            lookup[normalize_header(alias)] = column.name
    mapping, unknown, duplicates = {}, [], []
    for index, cell in enumerate(cells):
        key = normalize_header(cell)
        if not key:
            continue
        name = lookup.get(key)
        if name is None:
            unknown.append((index, normalize_text(cell)))
        elif name in mapping:
            duplicates.append((index, normalize_text(cell)))
        else:
            mapping[name] = index
    return mapping, unknown, duplicates


# ------------------------------------------------------------------------------------------- numbers

MAGNITUDES = {
    "万亿": Decimal("1000000000000"),
    "千亿": Decimal("100000000000"),
    "百亿": Decimal("10000000000"),
    "亿": Decimal("100000000"),
    "千万": Decimal("10000000"),
    "百万": Decimal("1000000"),
    "十万": Decimal("100000"),
    "万": Decimal("10000"),
    "千": Decimal("1000"),
    "百": Decimal("100"),
}
_MAGNITUDE_RE = "|".join(sorted(MAGNITUDES, key=len, reverse=True))

# Longest first, so 不超过 is not read as 超过.
_QUALIFIER_PREFIXES = [
    ("不超过", Qualifier.BELOW),
    ("不少于", Qualifier.AT_LEAST),
    ("不低于", Qualifier.AT_LEAST),
    ("超过", Qualifier.AT_LEAST),
    ("突破", Qualifier.AT_LEAST),
    ("至少", Qualifier.AT_LEAST),
    ("大于", Qualifier.AT_LEAST),
    ("高于", Qualifier.AT_LEAST),
    ("超", Qualifier.AT_LEAST),
    ("逾", Qualifier.AT_LEAST),
    (">=", Qualifier.AT_LEAST),
    ("≥", Qualifier.AT_LEAST),
    (">", Qualifier.AT_LEAST),
    ("将近", Qualifier.ABOUT),
    ("接近", Qualifier.ABOUT),
    ("大约", Qualifier.ABOUT),
    ("约合", Qualifier.ABOUT),
    ("约", Qualifier.ABOUT),
    ("近", Qualifier.ABOUT),
    ("≈", Qualifier.ABOUT),
    ("~", Qualifier.ABOUT),
    ("不足", Qualifier.BELOW),
    ("不到", Qualifier.BELOW),
    ("低于", Qualifier.BELOW),
    ("少于", Qualifier.BELOW),
    ("小于", Qualifier.BELOW),
    ("<=", Qualifier.BELOW),
    ("≤", Qualifier.BELOW),
    ("<", Qualifier.BELOW),
    ("=", Qualifier.EXACT),
    ("达到", Qualifier.EXACT),
    ("达", Qualifier.EXACT),
]
_QUALIFIER_SUFFIXES = [
    ("以上", Qualifier.AT_LEAST),
    ("左右", Qualifier.ABOUT),
    ("上下", Qualifier.ABOUT),
    ("以下", Qualifier.BELOW),
    ("以内", Qualifier.BELOW),
]
_NUMBER = re.compile(
    rf"^(?P<number>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))(?P<more>[多余])?(?P<magnitude>{_MAGNITUDE_RE})?(?P<more2>[多余])?"
    r"(?P<unit>[^0-9\s.+-][^0-9]*)?$"
)
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}([^0-9]|$))")


@dataclass(frozen=True)
class Unit:
    """A unit as a factor of a base: 亿元 = 1e8 × 元, % = 1 × %, 万家 = 1e4 × 家; base '' means 'a pure number'."""

    factor: Decimal
    base: str

    def __str__(self):
        return self.base if self.factor == 1 else f"{_magnitude_name(self.factor)}{self.base}"


def _magnitude_name(factor):
    for name, value in MAGNITUDES.items():
        if value == factor:
            return name
    return f"×{factor}"


@dataclass(frozen=True)
class Quantity:
    """What a number cell says: the amount in ``unit`` (None when the cell names no unit), and how."""

    amount: Decimal
    unit: Unit | None
    qualifier: str = Qualifier.EXACT
    explicit_qualifier: bool = False


_BASE_ALIASES = {"人民币": "元", "元人民币": "元", "％": "%", "个百分点": "个百分点"}


@functools.lru_cache(maxsize=1024)  # a sheet repeats a handful of units and periods thousands of times
def parse_unit(text):
    """'亿元' -> Unit(1e8, '元'); '%' -> Unit(1, '%'); '万家' -> Unit(1e4, '家'); '' -> None."""
    text = normalize_text(text).replace(" ", "")
    if not text:
        return None
    match = re.fullmatch(rf"(?P<magnitude>{_MAGNITUDE_RE})?(?P<base>.*)", text)
    magnitude, base = match["magnitude"], match["base"]
    if re.search(r"[0-9]", base):
        raise ParseError(_("无法识别的单位“%(unit)s”") % {"unit": text})
    base = _BASE_ALIASES.get(base, base)
    return Unit(MAGNITUDES[magnitude] if magnitude else Decimal(1), base)


def parse_quantity(value):
    """A number cell -> Quantity.

    '4000亿元' -> 4000 × 亿元; '1.2万亿元' -> 1.2 × 万亿元 (kept as given; ``convert`` scales it);
    '超过2000亿元', '2000亿元以上', '突破2000亿' -> at_least; '约300亿', '接近300亿' -> about;
    '１，２３４．５' and '1,234.5' -> 1234.5; '42.5%' -> 42.5 × %. Excel numbers pass through exactly.
    """
    if value.__class__ is float and math.isfinite(value):  # what a reader gives for nearly every number cell
        return Quantity(Decimal(repr(value)), None)
    if isinstance(value, bool):
        raise ParseError(_("不是数字"))
    if isinstance(value, int):
        return Quantity(Decimal(value), None)
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):  # a cell holding NaN, inf or 1E+400 (beyond a float)
            raise ParseError(_("“%(text)s”不是有限的数字") % {"text": value})
        return Quantity(Decimal(repr(value)) if isinstance(value, float) else value, None)
    text = normalize_text(value).replace(" ", "")
    if not text:
        raise ParseError(_("不能为空"))
    original = text
    text = _THOUSANDS.sub("", text)
    qualifier, explicit = Qualifier.EXACT, False
    for word, kind in _QUALIFIER_PREFIXES:
        if text.startswith(word):
            qualifier, explicit, text = kind, True, text[len(word) :]
            break
    for word, kind in _QUALIFIER_SUFFIXES:
        if text.endswith(word):
            if explicit and kind != qualifier:
                raise ParseError(_("“%(text)s”同时写了两种数值性质") % {"text": original})
            qualifier, explicit, text = kind, True, text[: -len(word)]
            break
    match = _NUMBER.match(text)
    if not match:
        raise ParseError(_("“%(text)s”不是数字（例如 4000亿元、1.2万亿元、42.5%%）") % {"text": original})
    if match["more"] or match["more2"]:  # 2000多亿: more than 2000亿
        if explicit and qualifier != Qualifier.AT_LEAST:
            raise ParseError(_("“%(text)s”同时写了两种数值性质") % {"text": original})
        qualifier, explicit = Qualifier.AT_LEAST, True
    try:
        amount = Decimal(match["number"])
    except InvalidOperation as error:  # pragma: no cover - the regex admits only valid literals
        raise ParseError(_("“%(text)s”不是数字") % {"text": original}) from error
    unit = None
    if match["magnitude"] or match["unit"]:
        factor = MAGNITUDES[match["magnitude"]] if match["magnitude"] else Decimal(1)
        base = (match["unit"] or "").strip()
        if re.search(r"[0-9]", base):
            raise ParseError(_("“%(text)s”不是数字") % {"text": original})
        unit = Unit(factor, _BASE_ALIASES.get(base, base))
    return Quantity(amount, unit, qualifier, explicit)


DECIMAL_PLACES = 4
MAX_INTEGER_DIGITS = 14  # DecimalField(max_digits=18, decimal_places=4)
_PLACES = Decimal(1).scaleb(-DECIMAL_PLACES)
_TOO_LARGE = Decimal(10) ** MAX_INTEGER_DIGITS


def convert(quantity, target, column_unit=None):
    """Amount of ``quantity`` expressed in the ``target`` unit (the indicator's), as a 4-place Decimal.

    The unit comes from the number cell itself ('3000万元'), else from the sheet's 单位 column, else it is
    taken to be the target unit. A bare magnitude ('255亿') borrows the base of the other unit
    ('255亿' into 亿元 is 255). Raises ParseError for a unit that cannot be converted (家 into 亿元) or a
    number cell whose own unit contradicts the 单位 column.
    """
    unit = quantity.unit
    if column_unit is not None:
        if unit is None:
            unit = column_unit
        elif unit.base == "" and column_unit.factor == 1:
            unit = Unit(unit.factor, column_unit.base)  # '3000万' with 单位 元
        elif unit != column_unit and not (unit.base == "" and unit.factor == column_unit.factor):
            raise ParseError(
                _("数值自带单位“%(own)s”，与单位列“%(column)s”不一致") % {"own": unit, "column": column_unit}
            )
    if unit is None:
        unit = target
    base = unit.base or target.base
    if base != target.base:
        raise ParseError(
            _("单位“%(unit)s”无法换算为“%(target)s”") % {"unit": Unit(unit.factor, base), "target": target}
        )
    amount = quantity.amount if unit.factor == target.factor else quantity.amount * unit.factor / target.factor
    result = amount.quantize(_PLACES, rounding=ROUND_HALF_EVEN)
    if amount != 0 and result == 0:
        raise ParseError(_("数值太小，换算为“%(target)s”后为0") % {"target": target})
    if abs(result) >= _TOO_LARGE:
        raise ParseError(_("数值太大"))
    return result


def format_quantity(value, qualifier, default=Qualifier.EXACT):
    """The cell an export writes, which ``parse_quantity`` reads back to the same value and qualifier."""
    text = plain(value)
    if qualifier == default:
        return text
    return {
        Qualifier.AT_LEAST: f"{text}以上",
        Qualifier.ABOUT: f"约{text}",
        Qualifier.BELOW: f"不足{text}",
        Qualifier.EXACT: f"={text}",
    }[qualifier]


def parse_integer(value, minimum=None, maximum=None):
    """'2025', '2025年', 2025.0 -> 2025, within bounds."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalize_text(value).replace(" ", "")
    text = re.sub(r"年$", "", text)
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ParseError(_("“%(text)s”不是整数") % {"text": normalize_text(value)})
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ParseError(_("应在 %(min)s 到 %(max)s 之间") % {"min": minimum, "max": maximum})
    return number


def parse_year(value):
    return parse_integer(value, MIN_YEAR, MAX_YEAR)


def _source_label(label):
    """A choice label as written in clusters.choices (Chinese), whatever the active language."""
    with translation.override(None):
        return str(label)


def parse_choice(value, choices):
    """A TextChoices member by its Chinese label, its value or its label in the active language:
    '国家级', 'national' or (in the English UI) 'National' -> 'national'."""
    key = lookup_key(value)
    for member in choices:
        if key in (lookup_key(member.value), lookup_key(_source_label(member.label)), lookup_key(member.label)):
            return member.value
    options = []
    for member in choices:
        source, shown = _source_label(member.label), str(member.label)
        options.append(
            source if shown == source else _("%(label)s（%(translation)s）") % {"label": source, "translation": shown}
        )
    raise ParseError(
        _("“%(text)s”不是可选值（可选：%(options)s）") % {"text": normalize_text(value), "options": join_list(options)}
    )


def parse_url(value):
    text = normalize_text(value)
    if text and not re.fullmatch(r"https?://[^\s/$.?#].[^\s]*", text, flags=re.IGNORECASE):
        if re.fullmatch(r"[\w-]+(\.[\w-]+)+(/\S*)?", text):
            return f"http://{text}"
        raise ParseError(_("“%(text)s”不是网址") % {"text": text})
    return text
