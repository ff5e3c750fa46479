"""What an import reports: every error with row, column, value and reason; counts; per-row outcomes."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

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


# The template headers, in a context of their own, so an error in the English UI can say what a Chinese
# header means: column “集群名称” (Cluster name). The headers themselves stay Chinese in every file.
COLUMN_GLOSSES = [
    pgettext_lazy("表格列", "集群名称"),
    pgettext_lazy("表格列", "简称"),
    pgettext_lazy("表格列", "领域"),
    pgettext_lazy("表格列", "层级"),
    pgettext_lazy("表格列", "批次"),
    pgettext_lazy("表格列", "状态"),
    pgettext_lazy("表格列", "城市"),
    pgettext_lazy("表格列", "简介"),
    pgettext_lazy("表格列", "起步年份"),
    pgettext_lazy("表格列", "促进机构"),
    pgettext_lazy("表格列", "链主企业"),
    pgettext_lazy("表格列", "网址"),
    pgettext_lazy("表格列", "类别"),
    pgettext_lazy("表格列", "标题"),
    pgettext_lazy("表格列", "内容"),
    pgettext_lazy("表格列", "发布机构"),
    pgettext_lazy("表格列", "发布日期"),
    pgettext_lazy("表格列", "政策文件"),
    pgettext_lazy("表格列", "来源"),
    pgettext_lazy("表格列", "指标"),
    pgettext_lazy("表格列", "目标值"),
    pgettext_lazy("表格列", "单位"),
    pgettext_lazy("表格列", "目标年份"),
    pgettext_lazy("表格列", "基期值"),
    pgettext_lazy("表格列", "基期年份"),
    pgettext_lazy("表格列", "原文"),
    pgettext_lazy("表格列", "期间"),
    pgettext_lazy("表格列", "数值"),
    pgettext_lazy("表格列", "评估方案"),
    pgettext_lazy("表格列", "评估期"),
    pgettext_lazy("表格列", "评估机构"),
    pgettext_lazy("表格列", "结论"),
    pgettext_lazy("表格列", "评估类型"),
    pgettext_lazy("表格列", "评估日期"),
    pgettext_lazy("表格列", "说明"),
]


def column_gloss(header):
    """What a template header means in the active language ('Cluster name'), or '' when that adds nothing."""
    if not header:
        return ""
    gloss = pgettext("表格列", header)
    return "" if gloss == header else gloss


@dataclass
class RowError:
    row: int | None  # the row number Excel shows; None for a file-level problem
    column: str  # the header as the file writes it ('' when the problem is not one column's)
    value: str
    message: str
    header: str = ""  # the column's template header (Chinese), whatever the file wrote; for the gloss

    @property
    def column_gloss(self):
        gloss = column_gloss(self.header or self.column)
        return "" if gloss.lower() == self.column.lower() else gloss

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
