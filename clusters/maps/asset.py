"""The committed map asset, read once per process. `manage.py build_map` writes it; nothing here needs shapely."""

import json
from functools import cache
from pathlib import Path

ASSET_PATH = Path(__file__).resolve().parent.parent / "data" / "china_map.json"


@cache
def china_map():
    """The asset: view box, a path per province code, a point per city/province code, the inset, provenance."""
    with ASSET_PATH.open(encoding="utf-8") as stream:
        return json.load(stream)
