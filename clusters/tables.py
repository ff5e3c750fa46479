"""What the list and ranking tables show of each row, computed in Python once per row instead of through
template lookups, filters and loops per cell.

At 5,025 clusters the template work per row (a `reverse()` for the link, a loop over provinces and one over
cities with a `{% translate %}` per separator, the lead enterprises sliced and looped) was most of the list
page's time after its queries. Here the detail URL comes from its pattern, reversed once per request, and
each list of names is one joined string (escaped by the template like any other value).
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import gettext

from clusters.formatting import loc

LEADS_SHOWN = 4  # lead enterprises a list row names
SLUG_MARKER = "cluster-slug-marker"


def detail_url_maker():
    """`slug -> the cluster page's URL` in the active language, with one reverse() for all the rows.

    The slug is quoted as reverse() quotes it (a slug is ASCII letters, digits, - and _, so it stays as is)."""
    head, tail = reverse("clusters:detail", kwargs={"slug": SLUG_MARKER}).split(SLUG_MARKER)
    return lambda slug: f"{head}{quote(slug, safe='')}{tail}"


def list_rows(clusters):
    """Give each cluster of a list page (cities with provinces and lead enterprises prefetched) `url`,
    `province_names`, `city_names` and `lead_names` ('' for none); returns the clusters."""
    url = detail_url_maker()
    comma = gettext("、")
    for cluster in clusters:
        cluster.url = url(cluster.slug)
        cluster.province_names = comma.join(loc(p, "short_name") for p in cluster.provinces)
        cluster.city_names = comma.join(loc(city) for city in cluster.cities.all())
        leads = cluster.lead_enterprises.all()[:LEADS_SHOWN]
        cluster.lead_names = comma.join(lead.enterprise.name for lead in leads)
    return clusters


def ranking_rows(rows):
    """Give each RankingRow `url` and `province_names`; returns the rows."""
    url = detail_url_maker()
    comma = gettext("、")
    for row in rows:
        row.url = url(row.cluster.slug)
        row.province_names = comma.join(loc(p) for p in row.provinces)
    return rows
