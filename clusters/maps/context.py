"""What the map include draws: the asset's shapes joined with the counts, shaded, with the links' query."""

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language, gettext

from clusters.maps import shading, svg
from clusters.maps.asset import china_map as load_asset
from clusters.maps.selectors import map_counts
from clusters.models import Cluster
from portal.caching import memoised

CITY_SIZES = 3  # dot sizes for cities: quantile classes like the provinces' shades


def china_map(clusters, query=None):
    """The map of `clusters` (a queryset of public clusters). `query` holds the filters that every link from
    the map keeps (a QueryDict of valid filters; none on the home page)."""
    asset = load_asset()
    counts = map_counts(clusters)
    query = query if query is not None else QueryDict()
    list_url = reverse("clusters:list")  # once, not once per link
    bounds = shading.breaks([p.count for p in counts.provinces])
    city_bounds = shading.breaks([c.count for c in counts.cities], CITY_SIZES)
    shapes, points = asset["provinces"], asset["points"]
    provinces = [
        {
            "province": p,
            "count": p.count,
            "shade": shading.shade(p.count, bounds),
            "href": svg.link(query, list_url, province=p.code) if p.count else None,
            "d": shapes[p.code]["d"],
            # A province too small to see (香港, 澳门) gets a marker at its point.
            "marker": points[p.code] if shapes[p.code]["small"] else None,
        }
        for p in counts.provinces
        if p.code in shapes
    ]
    cities = [
        {
            "city": c,
            "count": c.count,
            "size": shading.shade(c.count, city_bounds, CITY_SIZES),
            "point": points.get(c.code),
            "href": svg.link(query, list_url, city=c.code),
        }
        for c in counts.cities
    ]
    by_province = {}
    for city in cities:
        by_province.setdefault(city["city"].province_id, []).append(city)
    view_box, inset_box = asset["view_box"], asset["inset"]["box"]
    china_map = {
        "view_box": " ".join(str(n) for n in view_box),
        "width": view_box[2],
        "height": view_box[3],
        "neighbours": asset["neighbours"],
        "inset": asset["inset"],
        "inset_label": [round(inset_box[0] + inset_box[2] - 3, 1), round(inset_box[1] + inset_box[3] - 4, 1)],
        "inset_label_lines": two_lines(gettext("南海诸岛")),
        "provenance": asset["provenance"],
        "provinces": provinces,
        "cities": [c for c in cities if c["point"]],
        # The table: provinces holding clusters, most first, each with its cities.
        "rows": sorted(
            ({**p, "cities": by_province.get(p["province"].code, [])} for p in provinces if p["count"]),
            key=lambda row: (-row["count"], row["province"].code),
        ),
        "legend": shading.legend(bounds),
        "clusters": counts.clusters,
        "synthetic": counts.synthetic,
        "province_count": sum(1 for p in provinces if p["count"]),
        "city_count": len(cities),
        "query": query,
    }
    china_map["svg"] = svg.render(china_map)
    china_map["table_rows"] = svg.table_rows(china_map)
    return china_map


def public_map():
    """The map of every public cluster (the home page's, /map/ unfiltered), in the active language: built once
    per data version (at 5,025 clusters its counts and SVG took 150 ms a request). Callers only read it."""
    return memoised(f"public-map:{get_language()}", lambda: china_map(Cluster.objects.public()))


def two_lines(label):
    """“South China Sea Islands” on two lines (the inset is narrow); a label without spaces stays on one."""
    words = label.split()
    if len(words) < 2:
        return [label]
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:cut]), " ".join(words[cut:])]
