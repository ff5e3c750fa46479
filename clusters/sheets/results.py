"""What an import reports: every error with row, column, value and reason; counts; per-row outcomes."""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
PREVIEW_ROWS = 500  # outcomes of each status kept for the preview; the counts are always complete
ROW_MESSAGES = 5  # messages kept per row for the error workbook's 错误 cell
STATUS_LABELS = {NEW: gettext_lazy("新增"), UPDATED: gettext_lazy("修改"), UNCHANGED: gettext_lazy("不变")}


@dataclass
class RowError:
    row: int | None  # the row number Excel shows; None for a file-level problem
    column: str  # the header as the file writes it ('' when the problem is not one column's)
    value: str
    message: str
    english: str = ""  # the column's English name (Column.english), whatever header the file wrote

    @property
    def column_gloss(self):
        """What the (Chinese) header means, in a UI that is not Chinese: 'Cluster name' beside “集群名称”."""
        if (translation.get_language() or "").startswith("zh") or self.english.lower() == self.column.lower():
            return ""
        return self.english

    def __str__(self):
        column = ""
        if self.column:
            gloss = self.column_gloss
            if gloss:
                column = _("“%(column)s”列（%(gloss)s）") % {"column": self.column, "gloss": gloss}
            else:
                column = _("“%(column)s”列") % {"column": self.column}
        if self.row and column:
            where = _("第 %(row)s 行 %(column)s") % {"row": self.row, "column": column}
        elif self.row:
            where = _("第 %(row)s 行") % {"row": self.row}
        else:
            where = column[:1].upper() + column[1:]
        shown = self.value != "" and self.value not in self.message
        value = _("（值：%(value)s）") % {"value": self.value} if shown else ""
        if not where:
            return f"{self.message}{value}"
        return _("%(where)s：%(message)s%(value)s") % {"where": where, "message": self.message, "value": value}


@dataclass
class RowOutcome:
    row: int
    status: str
    label: str
    changes: list = field(default_factory=list)  # [(column header, old, new)]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class ImportResult:
    """Counts are complete; ``errors`` and ``outcomes`` keep the first few hundred (the settings say how many),
    so a file of two million bad rows reports them in constant memory: "the first 500 of 1,970,000 errors"."""

    kind: str
    file_name: str = ""
    dry_run: bool = False
    committed: bool = False
    sheet: str = ""
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)  # the first ``outcome_limit`` of each status
    created_sources: list = field(default_factory=list)
    record: object = None
    error_limit: int = 500
    outcome_limit: int = PREVIEW_ROWS
    error_count: int = 0
    error_rows: int = 0  # rows with at least one error (errors arrive in row order)
    counts: dict = field(default_factory=lambda: dict.fromkeys((NEW, UPDATED, UNCHANGED), 0))
    cancelled: bool = False
    header_row: int | None = None  # where the header was found
    data_rows: int = 0
    # Kept only when asked (``keep_rows``; a job's preview and the error workbook): every data row's
    # (number, cells of the kind's columns), the headers of those cells, and every failed row's messages.
    rows: list | None = None
    headers: list = field(default_factory=list)
    row_messages: dict | None = None
    statuses: dict | None = None  # {row number: (status, changes)}
    _last_error_row: object = None

    def keep_rows(self):
        self.rows, self.row_messages, self.statuses = [], {}, {}

    def add_error(self, error):
        self.error_count += 1
        if error.row and error.row != self._last_error_row:
            self.error_rows += 1
            self._last_error_row = error.row
        if len(self.errors) < self.error_limit:
            self.errors.append(error)
        if self.row_messages is not None and error.row:
            messages = self.row_messages.setdefault(error.row, [])
            if len(messages) < ROW_MESSAGES:
                messages.append(str(RowError(None, error.column, error.value, error.message, error.english)))

    def add_outcome(self, number, status, label, changes):
        """Count a row's outcome, and list it while fewer than ``outcome_limit`` of its status are listed:
        ``label`` is called only then (a re-import of 100,000 unchanged rows builds 500 labels, not 100,000)."""
        if self.counts[status] < self.outcome_limit:
            self.outcomes.append(RowOutcome(number, status, label(), list(changes)))
        self.counts[status] += 1

    def clear_outcomes(self):
        self.outcomes.clear()
        self.counts = dict.fromkeys(self.counts, 0)

    @property
    def new(self):
        return self.counts[NEW]

    @property
    def updated(self):
        return self.counts[UPDATED]

    @property
    def unchanged(self):
        return self.counts[UNCHANGED]

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def ok(self):
        return not self.error_count

    @property
    def errors_cut(self):
        """How many errors are counted but not listed."""
        return self.error_count - len(self.errors)

    def summary(self):
        return _("新增 %(new)s 行，修改 %(updated)s 行，不变 %(unchanged)s 行") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
