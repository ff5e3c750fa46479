"""The one list of sheet kinds. Each kind is one module in ``clusters/sheets/kinds/``; adding a kind means
adding its module and naming its sheet class here. The surfaces (the command, the admin, the public
downloads, ``ImportRecord.kind``'s choices) ask this module; nothing in the kinds imports it back.
"""

from .kinds.clusters import ClusterSheet
from .kinds.evaluations import EvaluationSheet
from .kinds.indicator_values import IndicatorValueSheet
from .kinds.measures import MeasureSheet
from .kinds.targets import TargetSheet

SHEETS = {
    sheet.kind: sheet for sheet in (ClusterSheet, MeasureSheet, TargetSheet, IndicatorValueSheet, EvaluationSheet)
}
KINDS = tuple(SHEETS)
BY_MODEL = {sheet.model: sheet for sheet in SHEETS.values()}


def get(kind):
    """The sheet class of ``kind``; ValueError for an unknown kind."""
    if kind not in SHEETS:
        raise ValueError(f"Unknown sheet kind {kind!r}; expected one of {', '.join(KINDS)}")
    return SHEETS[kind]


def for_model(model):
    """The sheet class whose records are ``model``'s."""
    return BY_MODEL[model]


def choices():
    """(kind, title) pairs: ``ImportRecord.kind``'s choices."""
    return [(kind, sheet.title) for kind, sheet in SHEETS.items()]


def worksheet_names(kind):
    """The worksheet titles that mark ``kind``'s sheet in a workbook: its title first."""
    sheet = get(kind)
    return (sheet.title, *sheet.sheet_names)
