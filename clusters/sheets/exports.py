"""Export files and downloadable templates for the four sheet kinds."""

import io
import json

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .handlers import get_handler
from .resources import RESOURCES

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
SHEET_TITLES = {
    "clusters": "集群",
    "measures": "举措",
    "targets": "目标",
    "indicator-values": "指标值",
    "evaluations": "动态评估",
}


def export_file(kind, queryset=None, file_format="xlsx"):
    """-> (bytes, content type, file name) for the records in ``queryset`` (default: all)."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    resource_class = RESOURCES[kind]
    dataset = _export(resource_class, resource_class.queryset(queryset))
    dataset.title = SHEET_TITLES[kind]
    if file_format == "xlsx":
        content = dataset.export("xlsx")
    elif file_format == "csv":
        content = dataset.export("csv").encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    else:
        content = json.dumps(dataset.dict, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return content, FORMATS[file_format], f"{kind}-{stamp}.{file_format}"


def _export(resource_class, queryset):
    """The sheet's cells are data, not interface: choice labels (层级, 状态 …) stay in the portal's own
    language whatever language the admin is shown in, so an export made in the English UI re-imports unchanged."""
    with translation.override(settings.LANGUAGE_CODE):
        return resource_class().export(queryset=queryset)


def _example_row(kind):
    """The first existing record as exported, so the template's example re-imports unchanged."""
    resource_class = RESOURCES[kind]
    queryset = list(resource_class.queryset()[:1])
    dataset = _export(resource_class, queryset)
    if dataset.height:
        return list(dataset[0])
    return [column.example for column in get_handler(kind).columns]


def template_file(kind):
    """An xlsx with the Chinese header row and an example row, and a second sheet explaining each column."""
    handler = get_handler(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[kind]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append([column.header for column in handler.columns])
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    sheet.append(_example_row(kind))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(handler.columns):
        sheet.column_dimensions[chr(65 + index)].width = max(12, len(column.header) * 3)

    notes = workbook.create_sheet(_("说明"))
    notes.append([_("列名"), _("英文字段名"), _("必需"), _("说明")])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for column in handler.columns:
        notes.append([column.header, column.name, _("必需") if column.required else _("可选"), str(column.help)])
    notes.append([])
    for line in (
        _("第一个工作表的第一行是表头，可用中文列名或英文字段名；从第二行起每行一条记录。"),
        _("示例行是库中已有的一条记录，原样导入不会改变任何数据；可以直接覆盖。"),
        _("一个单元格填多个值（城市、链主企业）时用顿号、逗号或分号分隔。"),
        _("数字可带单位和量级，例如 4000亿元、1.2万亿元、3000万元、42.5%；“超过”“以上”“约”会被记录为数值性质。"),
        _("日期可写 2021-03-22、2021/3/22、2021年3月22日 或 Excel 日期。"),
        _("有任何一行出错时不会写入任何数据，系统会列出每一处错误（行号、列名、原因）。"),
        _("不要合并单元格，也不要使用未计算的公式。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 24
    notes.column_dimensions["C"].width = 8
    notes.column_dimensions["D"].width = 80
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS["xlsx"], f"template-{kind}.xlsx"
