"""How the portal writes its figures, periods and names: one module for the pages, the API and the downloads.

Plain functions of their arguments. The few words they use (超过, 约, 据2021年报道 …) are marked for
translation and rendered in `language` when one is given, else in the active language; nothing here
touches the database or the template engine, so views, template filters, serializers and sheet writers
can all call the same function and a table of examples tests it (tests/test_formatting.py).

The rules, and why:
- A stored Decimal carries four places (4000.0000); readers see no trailing zeros ("4000").
- Readers see at most the places their kind needs (`DECIMALS`): shares and money to 0.01, counts whole.
  The API keeps the stored number; only the words round.
- Digits are grouped by thousands from 10,000 up ("30,000"); four-digit figures stay as the sources
  write them ("4000 亿元").
- Money in 亿元 is written as the sources write it: from 10,000 亿元 on in 万亿元 ("2.8 万亿元"),
  to the whole 亿.
- A bound stays a bound: "超过 90%", "约 22%", "不足 5 家"; a target shows its direction ("≥ 4000 亿元").
- A period that is only the report's year (the source gives no year for the figure) reads
  "据2021年报道", never "2021" as if it were the year of the data.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language, gettext, gettext_noop, override

from clusters.choices import Qualifier

# Places a reader sees, per indicator kind (clusters.choices.IndicatorKind); other kinds show what is stored.
DECIMALS = {"money": 2, "share": 2, "count": 0}
# Grouping starts at five digits: "4000" stays as the sources write it, "30000" reads "30,000".
GROUP_FROM = Decimal(10000)
# 亿元 from which an amount is written in 万亿元, and the places kept there (whole 亿).
WAN_YI = Decimal(10000)
WAN_YI_PLACES = 4
YI_YUAN = "亿元"
WAN_YI_YUAN = "万亿元"

QUALIFIER_WORDS = {
    Qualifier.AT_LEAST: gettext_noop("超过"),
    Qualifier.ABOUT: gettext_noop("约"),
    Qualifier.BELOW: gettext_noop("不足"),
}
TARGET_SIGNS = {
    Qualifier.AT_LEAST: "≥",
    Qualifier.ABOUT: "≈",
    Qualifier.BELOW: "<",
}
REPORT_YEAR = gettext_noop("据%(year)s年报道")


def _translate(text, language=None):
    if language is None:
        return gettext(text)
    with override(language):
        return gettext(text)


def is_english(language=None):
    return (language or get_language() or "").startswith("en")


def to_decimal(value):
    """A Decimal from a Decimal, int, str or float (floats by their shortest repr, not their binary value)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def plain(value):
    """The number as stored, without trailing zeros, exponent or grouping: Decimal('4000.0000') -> '4000'.

    For cells that a sheet reads back and for scores; `None` and "" give "".
    """
    if value is None or value == "":
        return ""
    value = to_decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def _rounded(value, places):
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value, kind=None):
    """A number for readers: rounded to its kind's places, no trailing zeros, grouped from 10,000 up."""
    if value is None or value == "":
        return ""
    value = to_decimal(value)
    places = DECIMALS.get(kind)
    if places is not None:
        value = _rounded(value, places)
    text = plain(value)
    if abs(value) < GROUP_FROM:
        return text
    sign = "-" if text.startswith("-") else ""
    whole, point, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{point}{fraction}"


def with_unit(number_text, unit):
    """“2000 亿元” but “22%”: a percent sign sits right against its number."""
    if not unit:
        return number_text
    return f"{number_text}{unit}" if unit.startswith("%") else f"{number_text} {unit}"


def amount(value, unit, kind=None):
    """A number with its unit as the sources write it: '2000 亿元', '2.8 万亿元', '42.5%', '30,000 人'."""
    if value is None or value == "":
        return ""
    value = to_decimal(value)
    if unit == YI_YUAN and abs(value) >= WAN_YI:
        return with_unit(plain(_rounded(value / WAN_YI, WAN_YI_PLACES)), WAN_YI_YUAN)
    return with_unit(number(value, kind), unit)


def figure(value, qualifier, unit, kind=None, language=None):
    """A figure as its source states it: '超过 2000 亿元', '约 22%', '2.8 万亿元'. Bounds stay bounds."""
    text = amount(value, unit, kind)
    word = QUALIFIER_WORDS.get(qualifier)
    return f"{_translate(word, language)} {text}" if word and text else text


def target_figure(value, qualifier, unit, kind=None):
    """A target with its direction: '≥ 4000 亿元', '≈ 50%'."""
    sign = TARGET_SIGNS.get(qualifier, "")
    return f"{sign} {amount(value, unit, kind)}".strip()


def period_label(period, is_report_year=False, language=None):
    """'2020', or '据2021年报道' when the period is only the year of the report that gave the figure."""
    if not period:
        return ""
    if is_report_year:
        return _translate(REPORT_YEAR, language) % {"year": period[:4]}
    return period


def in_parentheses(text, language=None):
    """'（亿元）' in Chinese, ' (亿元)' in English; '' for nothing."""
    if not text:
        return ""
    return f" ({text})" if is_english(language) else f"（{text}）"


def loc(obj, attr="name", language=None):
    """`name_en` of a field, division, indicator or category in English (if it has one), else `attr`."""
    if obj is None:
        return ""
    if is_english(language):
        # Short names have no English form of their own: the English name is short already.
        english = getattr(obj, f"{attr}_en", "") or getattr(obj, "name_en", "")
        if english:
            return english
    return getattr(obj, attr, "")


def value_figure(value, language=None):
    """An IndicatorValue (with its indicator loaded) as its source states it."""
    indicator = value.indicator
    return figure(value.value, value.qualifier, indicator.unit, indicator.kind, language)


def value_period(value, language=None):
    """An IndicatorValue's period as readers should read it."""
    return period_label(value.period, value.period_is_report_year, language)
