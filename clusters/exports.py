"""Downloads of the filtered cluster list: one row per cluster, Chinese headers, CSV (UTF-8 with BOM) or xlsx.

The first twelve columns are the clusters import sheet's (one definition, shared with the admin export),
so a download can be edited and sent back. Every text cell that a spreadsheet would read as a formula
(= + - @, tab, carriage return) gets a leading '.
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from clusters.sheets.resources import ClusterResource, neutralise

__all__ = ["HEADERS", "csv_response", "neutralise", "xlsx_response"]

SEPARATOR = "、"

# After the clusters sheet's own columns (ClusterResource: the same cells the admin export and the
# import use, so a download can be edited and imported again), what only the public download adds.
EXTRA_COLUMNS = [
    ("省级行政区", lambda c, r: SEPARATOR.join(p.name for p in c.provinces)),
    ("地域说明", lambda c, r: c.area_note),
    ("演示数据", lambda c, r: "是" if c.is_synthetic else ""),
    ("页面", lambda c, r: r.build_absolute_uri(c.get_absolute_url())),
]
HEADERS = [*ClusterResource.headers(), *(header for header, _ in EXTRA_COLUMNS)]


def rows(request, clusters):
    sheet = ClusterResource()
    for cluster in clusters:
        yield [*sheet.export_resource(cluster), *(neutralise(get(cluster, request)) for _, get in EXTRA_COLUMNS)]


def _filename(extension):
    return f"clusters-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(request, clusters):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv.writer(response)
    writer.writerow(HEADERS)
    for row in rows(request, clusters):
        writer.writerow(["" if value is None else value for value in row])
    return response


def xlsx_response(request, clusters):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "集群"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(request, clusters):
        sheet.append(row)
    sheet.freeze_panes = "B2"
    for letter, width in zip(
        "ABCDEFGHIJKLMNOP", [36, 16, 14, 8, 30, 10, 24, 40, 10, 30, 30, 30, 20, 16, 10, 50], strict=True
    ):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
