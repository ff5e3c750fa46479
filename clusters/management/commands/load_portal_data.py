from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"

# Order matters: each file refers only to rows loaded before it.
FIXTURES = [
    "sources.json",
    "fields.json",
    "measure_categories.json",
    "divisions.json",
    "indicators.json",
    "batches.json",
    "clusters.json",
    "facts.json",
]


class Command(BaseCommand):
    help = "载入随项目发布的数据（行政区划、领域、25个国家级集群及其出处可查的事实）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-hint", action="store_true", help="不打印创建管理员账号的提示")

    def handle(self, *args, quiet_hint=False, **options):
        paths = [str(FIXTURE_DIR / name) for name in FIXTURES if (FIXTURE_DIR / name).exists()]
        call_command("loaddata", *paths, verbosity=options["verbosity"])
        if not quiet_hint:
            self.stdout.write(
                "\n数据已载入。创建管理员账号 / To create a staff account:\n"
                "  .venv/bin/python manage.py createsuperuser\n"
                "然后访问 http://127.0.0.1:8000/admin/\n"
            )
