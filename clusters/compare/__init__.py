"""Clusters side by side (/compare/): one table, built once, rendered by the page, the downloads and the API.

- `selection.parse` reads `?clusters=a,b` (or `?clusters=a&clusters=b`) into slugs, order kept.
- `build.compare(slugs, user)` builds the `Comparison` (`table`): rows of cells, charts, numbered sources.
- `downloads` writes that same table as CSV and xlsx; `clusters.api.compare_serializers` as JSON.
"""

from .build import compare
from .selection import MAX_CLUSTERS, MIN_CLUSTERS, CompareError, Selection, compare_url, parse, too_few_message
from .table import Cell, Comparison, Row

__all__ = [
    "MAX_CLUSTERS",
    "MIN_CLUSTERS",
    "Cell",
    "CompareError",
    "Comparison",
    "Row",
    "Selection",
    "compare",
    "compare_url",
    "parse",
    "too_few_message",
]
