"""The one rule for a period (期间, 评估期): the model fields, hence the API's full_clean and the admin, the
list filters and the spreadsheet import all call ``validate_period``.

A period is a year (2020), a month (2020-06), a quarter (2020-Q2) or a half year (2020-H1), written with
ASCII digits (Python's ``\\d`` also matches ``٢٠٢٤``, which the API once stored) and with a year from 1949
to 2100 (``0001`` and ``9999-Q4`` are typing slips, not periods).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 1949, 2100
PERIOD_RE = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?")

FORM_MESSAGE = _("期间写作 2020、2020-06、2020-Q2 或 2020-H1。")
YEAR_MESSAGE = _("年份应在 %(min)s 到 %(max)s 之间")


@deconstructible(path="clusters.periods.PeriodValidator")
class PeriodValidator:
    """A Django validator: raises ``ValidationError`` (code ``invalid_period`` or ``period_year``)."""

    def __call__(self, value):
        text = str(value)
        if not PERIOD_RE.fullmatch(text):
            raise ValidationError(FORM_MESSAGE, code="invalid_period")
        if not MIN_YEAR <= int(text[:4]) <= MAX_YEAR:
            raise ValidationError(YEAR_MESSAGE, code="period_year", params={"min": MIN_YEAR, "max": MAX_YEAR})

    def __eq__(self, other):
        return isinstance(other, PeriodValidator)


validate_period = PeriodValidator()
