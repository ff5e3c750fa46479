"""The comparison as a spreadsheet: CSV (UTF-8 with BOM) or xlsx, holding the same cells as the page and the API.

One row per compared attribute (分组, 项目, then one column per cluster, in the order compared), a blank row,
then the numbered sources (出处, [n], the source). A cell is `Comparison.display(cell)`: the figure with its
qualifier, period, caveat, progress and source numbers on one line — the API's `display` of that cell — so
reading the sheet back gives the table back. Text a spreadsheet would run as a formula gets a leading '
(`clusters.exports.neutralise`, as in every download of the portal). Written with tablib; the xlsx keeps
the label columns and the header frozen and sizes its columns for Chinese text.
"""

import io

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _

from clusters import formatting
from clusters.exports import neutralise

# Widths in characters: the section, the row label, then each cluster.
SECTION_WIDTH, LABEL_WIDTH, CLUSTER_WIDTH = 10, 30, 34
FILENAME_LENGTH = 80
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def source_text(source):
    """'许昌市科技创新公共服务中心《决策参阅》第21期，2021-11-25，https://…' as the page's source list writes it."""
    parts = [f"{source.publisher}《{source.title}》", source.document_number]
    if source.published_on:
        parts.append(f"{source.published_on:%Y-%m-%d}")
    parts.append(source.url)
    return _("，").join(part for part in parts if part)


def column_name(cluster):
    name = formatting.loc(cluster)
    return f"{name}{formatting.in_parentheses(_('演示数据'))}" if cluster.is_synthetic else name


def dataset(comparison):
    """The table as a tablib Dataset, every cell neutralised."""
    width = 2 + len(comparison.clusters)
    data = tablib.Dataset(
        headers=[neutralise(h) for h in [_("分组"), _("项目"), *map(column_name, comparison.clusters)]],
        title=str(_("集群比较")),
    )
    for _key, section, rows in comparison.sections:
        for row in rows:
            data.append([neutralise(v) for v in [str(section), row.full_label, *map(comparison.display, row.cells)]])
    if comparison.sources:
        data.append([""] * width)
        for number, source in enumerate(comparison.sources, start=1):
            cells = [str(_("出处")), f"[{number}]", source_text(source)]
            data.append([neutralise(v) for v in cells] + [""] * (width - len(cells)))
    return data


def filename(slugs, extension):
    """compare-nanjing-power-equipment-shanghai-ic.csv; past 80 characters the rest is counted, not named."""
    name = "compare"
    for index, slug in enumerate(slugs):
        if len(name) + len(slug) + 1 > FILENAME_LENGTH:
            return f"{name}-and-{len(slugs) - index}-more.{extension}"
        name = f"{name}-{slug}"
    return f"{name}.{extension}"


def _attachment(content, content_type, name):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(comparison):
    # Excel needs the BOM to read UTF-8.
    content = "\ufeff" + dataset(comparison).export("csv")
    return _attachment(content, "text/csv; charset=utf-8", filename(comparison.slugs, "csv"))


def xlsx_bytes(comparison):
    """tablib's xlsx (bold header, one frozen row), then the label columns frozen too and widths set."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    book = load_workbook(io.BytesIO(dataset(comparison).export("xlsx", column_width=None)))
    sheet = book.active
    sheet.freeze_panes = "C2"
    widths = [SECTION_WIDTH, LABEL_WIDTH, *[CLUSTER_WIDTH] * len(comparison.clusters)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(comparison):
    return _attachment(xlsx_bytes(comparison), XLSX, filename(comparison.slugs, "xlsx"))
