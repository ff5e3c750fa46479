"""What an import reports: every error with row, column, value and reason; counts; per-row outcomes."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
STATUS_LABELS = {NEW: gettext_lazy("新增"), UPDATED: gettext_lazy("修改"), UNCHANGED: gettext_lazy("不变")}


@dataclass
class Column:
    """One sheet column: ``name`` is the English field name, ``header`` the Chinese template header."""

    name: str
    header: str
    required: bool = False
    aliases: tuple = ()
    help: str = ""
    example: str = ""
    header_en: str = ""


@dataclass
class RowError:
    row: int | None  # the row number Excel shows; None for a file-level problem
    column: str  # the header as the file writes it ('' when the problem is not one column's)
    value: str
    message: str

    def __str__(self):
        where = []
        if self.row:
            where.append(_("第 %(row)s 行") % {"row": self.row})
        if self.column:
            where.append(_("“%(column)s”列") % {"column": self.column})
        shown = self.value != "" and self.value not in self.message
        value = _("（值：%(value)s）") % {"value": self.value} if shown else ""
        prefix = " ".join(where)
        return f"{prefix}：{self.message}{value}" if prefix else f"{self.message}{value}"


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
    kind: str
    file_name: str = ""
    dry_run: bool = False
    committed: bool = False
    sheet: str = ""
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    created_sources: list = field(default_factory=list)
    record: object = None

    def count(self, status):
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def new(self):
        return self.count(NEW)

    @property
    def updated(self):
        return self.count(UPDATED)

    @property
    def unchanged(self):
        return self.count(UNCHANGED)

    @property
    def total(self):
        return len(self.outcomes)

    @property
    def ok(self):
        return not self.errors

    @property
    def error_rows(self):
        return len({error.row for error in self.errors if error.row})

    def summary(self):
        return _("新增 %(new)s 行，修改 %(updated)s 行，不变 %(unchanged)s 行") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
