"""Downloads of the filtered cluster list: one row per cluster, Chinese headers, CSV (UTF-8 with BOM) or xlsx.

The first columns are the clusters sheet's own (``ClusterSheet.columns``: the same cells the admin export
and the template write and the import reads), so a download can be edited and sent back; after them come
the few read-only columns only the public download adds, declared the same way. Both formats stream
(clusters are read a chunk at a time). Every text cell that a spreadsheet would read as a formula
(= + - @, tab, carriage return) gets a leading '.
"""

from django.utils import timezone

from clusters.sheets.columns import Column, neutralise
from clusters.sheets.kinds.clusters import SEPARATOR, ClusterSheet
from clusters.sheets.writers import file_response

__all__ = ["HEADERS", "csv_response", "neutralise", "xlsx_response"]


def public_columns(request=None):
    """The download's columns: the clusters sheet's, then provinces, 地域说明, 演示数据 and the page's URL."""
    return (
        *ClusterSheet.export_columns(),
        Column("provinces", "省级行政区", "Provinces", export=lambda c: SEPARATOR.join(p.name for p in c.provinces)),
        Column("area_note", "地域说明", "Area note", export="area_note", width=20),
        Column("is_synthetic", "演示数据", "Demo data", export=lambda c: "是" if c.is_synthetic else ""),
        Column(
            "url",
            "页面",
            "Page",
            export=lambda c: request.build_absolute_uri(c.get_absolute_url()) if request else c.get_absolute_url(),
            width=50,
        ),
    )


HEADERS = [column.header for column in public_columns()]


def _response(request, clusters, file_format):
    columns = public_columns(request)
    rows = ClusterSheet.export_rows(clusters, columns)
    name = f"clusters-{timezone.localdate():%Y%m%d}.{file_format}"
    return file_response(file_format, columns, rows, name, title=ClusterSheet.title, freeze="B2")


def csv_response(request, clusters):
    return _response(request, clusters, "csv")


def xlsx_response(request, clusters):
    return _response(request, clusters, "xlsx")
