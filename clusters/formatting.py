"""How the portal writes its figures, periods and names: one module for the pages, the API and the downloads.

Plain functions of their arguments. The few words they use (超过, 约, 据2021年报道 …) are marked for
translation and rendered in `language` when one is given, else in the active language; nothing here
touches the database or the template engine, so views, template filters, serializers and sheet writers
can all call the same function and a table of examples tests it (tests/test_formatting.py).

The rules, and why:
- A stored Decimal carries four places (4000.0000); readers see no trailing zeros ("4000").
- Readers see at most the places their kind needs (`DECIMALS`): shares and money to 0.01, counts whole.
  The API keeps the stored number; only the words round.
- Digits are grouped by thousands: in Chinese from 10,000 up ("30,000"), four-digit figures staying as the
  sources write them ("4000 亿元"); in English from 1,000 up, as English writes numbers ("1,500").
- Money in 亿元 is written as the sources write it: from 10,000 亿元 on in 万亿元 ("2.8 万亿元"),
  to the whole 亿.
- In English, money is written in English scale words (`scale`): trillion yuan from 1 万亿元, billion
  yuan from 10 亿元 (one billion), million yuan below ("4000 亿元" → "400 billion yuan", "3.5 亿元" →
  "350 million yuan"); the digits are the Chinese ones with the point moved, so nothing is rounded away
  or made up. Counts (家, 件, 项, 人, 个) lose their counter word, which English does without ("30,000");
  % stays. Pages, charts, the API's `value_display` and downloads all write money by this one rule.
- A bound stays a bound: "超过 90%", "约 22%", "不足 5 家"; a target shows its direction ("≥ 4000 亿元").
- A period that is only the report's year (the source gives no year for the figure) reads
  "据2021年报道", never "2021" as if it were the year of the data.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language, gettext, gettext_noop, override

from clusters.choices import Qualifier

# Places a reader sees, per indicator kind (clusters.choices.IndicatorKind); other kinds show what is stored.
DECIMALS = {"money": 2, "share": 2, "count": 0}
# Grouping starts at five digits in Chinese ("4000" stays as the sources write it, "30000" reads "30,000"),
# at four in English ("1,500").
GROUP_FROM = Decimal(10000)
GROUP_FROM_ENGLISH = Decimal(1000)
# 亿元 from which an amount is written in 万亿元.
WAN_YI = Decimal(10000)
# Places kept at most when an amount moves to a larger unit: 12345.67 亿元 is 1.2346 万亿元 (the whole 亿).
LARGER_UNIT_PLACES = 4
YI_YUAN = "亿元"
WAN_YI_YUAN = "万亿元"
# Units of money, as powers of ten of a yuan, and the English scale words (largest first) that write them.
YUAN_POWERS = {"元": 0, "万元": 4, "亿元": 8, "万亿元": 12}
ENGLISH_MONEY = [(12, "trillion yuan"), (9, "billion yuan"), (6, "million yuan"), (0, "yuan")]
# Counter words: English writes the number alone ("30,000", not "30,000 people" guessed from 人).
COUNTER_WORDS = {"家", "件", "项", "人", "个"}

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


def number(value, kind=None, language=None):
    """A number for readers: rounded to its kind's places, no trailing zeros, grouped by thousands (from
    10,000 in Chinese, from 1,000 in English)."""
    if value is None or value == "":
        return ""
    value = to_decimal(value)
    places = DECIMALS.get(kind)
    if places is not None:
        value = _rounded(value, places)
    text = plain(value)
    if abs(value) < (GROUP_FROM_ENGLISH if is_english(language) else GROUP_FROM):
        return text
    sign = "-" if text.startswith("-") else ""
    whole, point, fraction = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{point}{fraction}"


def with_unit(number_text, unit):
    """“2000 亿元” but “22%”: a percent sign sits right against its number."""
    if not unit:
        return number_text
    return f"{number_text}{unit}" if unit.startswith("%") else f"{number_text} {unit}"


@dataclass(frozen=True)
class Scale:
    """The unit a number is written in: `shift` moves the point from the stored unit to it (4000 亿元 →
    400 billion yuan: -1), `unit` is what follows the number ("" for an English count)."""

    shift: int
    unit: str


def scale(magnitude, unit, language=None):
    """The unit a number of this size (stored in `unit`) is written in, in the language: see the module
    docstring. A chart's axis takes the scale of its largest value, so all its ticks share one unit."""
    magnitude = abs(to_decimal(magnitude))
    if not is_english(language):
        if unit == YI_YUAN and magnitude >= WAN_YI:
            return Scale(-4, WAN_YI_YUAN)
        return Scale(0, unit)
    if unit in YUAN_POWERS:
        power = YUAN_POWERS[unit]
        for scale_power, words in ENGLISH_MONEY:
            if magnitude.scaleb(power) >= Decimal(1).scaleb(scale_power) or scale_power == 0:
                return Scale(power - scale_power, words)
    if unit in COUNTER_WORDS:
        return Scale(0, "")
    return Scale(0, unit)


def amount(value, unit, kind=None, language=None):
    """A number with its unit as the sources write it: '2000 亿元', '2.8 万亿元', '42.5%', '30,000 人';
    in English '200 billion yuan', '2.8 trillion yuan', '42.5%', '30,000'."""
    if value is None or value == "":
        return ""
    value = to_decimal(value)
    places = DECIMALS.get(kind)
    if places is not None:
        value = _rounded(value, places)  # in the stored unit, as its kind says
    written = scale(value, unit, language)
    value = value.scaleb(written.shift)
    if written.shift < 0:
        value = _rounded(value, LARGER_UNIT_PLACES)
    return with_unit(number(value, language=language), written.unit)


def figure(value, qualifier, unit, kind=None, language=None):
    """A figure as its source states it: '超过 2000 亿元', '约 22%', '2.8 万亿元'. Bounds stay bounds."""
    text = amount(value, unit, kind, language)
    word = QUALIFIER_WORDS.get(qualifier)
    return f"{_translate(word, language)} {text}" if word and text else text


def target_figure(value, qualifier, unit, kind=None, language=None):
    """A target with its direction: '≥ 4000 亿元', '≈ 50%'; in English '≥ 400 billion yuan'."""
    sign = TARGET_SIGNS.get(qualifier, "")
    return f"{sign} {amount(value, unit, kind, language)}".strip()


def unit_heading(unit, language=None):
    """The unit after an indicator's name in a heading: '（亿元）'. In English none where every figure
    names its own unit (money in its scale words, %) or needs none (counts); other units stay visible."""
    if is_english(language) and (unit in YUAN_POWERS or unit in COUNTER_WORDS or unit == "%"):
        return ""
    return in_parentheses(unit, language)


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
    """`name_en` of a cluster, field, division, indicator or category in English (if it has one), else `attr`."""
    if obj is None:
        return ""
    if is_english(language):
        # Short names have no English form of their own: the English name is short already.
        english = getattr(obj, f"{attr}_en", "") or getattr(obj, "name_en", "")
        if english:
            return english
    return getattr(obj, attr, "")


def original_name(obj, language=None):
    """The Chinese name beside an English one: `name` on an English page that shows `name_en`, else ''."""
    if obj is not None and is_english(language) and getattr(obj, "name_en", ""):
        return obj.name
    return ""


def value_figure(value, language=None):
    """An IndicatorValue (with its indicator loaded) as its source states it."""
    indicator = value.indicator
    return figure(value.value, value.qualifier, indicator.unit, indicator.kind, language)


def value_period(value, language=None):
    """An IndicatorValue's period as readers should read it."""
    return period_label(value.period, value.period_is_report_year, language)
