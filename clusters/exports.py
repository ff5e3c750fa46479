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
from clusters.tables import detail_url_maker

__all__ = ["HEADERS", "csv_response", "neutralise", "xlsx_response"]


def public_columns(request=None):
    """The download's columns: the clusters sheet's, then provinces, 地域说明, 演示数据 and the page's URL.

    Cells come from the sheet's plain rows (``ClusterSheet.export_records``: "cities" as tuples by code);
    the page URL is reversed once, not once per row."""
    return (
        *ClusterSheet.export_columns(),
        Column("provinces", "省级行政区", "Provinces", export=_provinces),
        Column("area_note", "地域说明", "Area note", export="area_note", width=20),
        Column("is_synthetic", "演示数据", "Demo data", export=_synthetic, reads=("is_synthetic",)),
        Column("url", "页面", "Page", export=_PageURL(request), reads=("slug",), width=50),
    )


class _PageURL:
    """A row's page URL (``tables.detail_url_maker``), made on the first row: in the language the rows are
    made in."""

    def __init__(self, request):
        self.request, self.url = request, None

    def __call__(self, row):
        if self.url is None:
            self.url = detail_url_maker(self.request)
        return self.url(row["slug"])


def _provinces(row):
    """The provinces of the row's cities, by code, each once."""
    names = dict(sorted({(code, name) for _code, _name, code, name in row["cities"]}))
    return SEPARATOR.join(names.values())


def _synthetic(row):
    return "是" if row["is_synthetic"] else ""


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
