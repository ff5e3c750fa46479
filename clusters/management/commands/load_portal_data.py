from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand
from django.db import transaction

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

# Bookkeeping columns that say when a row was written, not what it says.
IGNORED_FIELDS = {"created_at", "updated_at"}


def differences(existing, shipped, m2m_data):
    """Names of the fields where the database row no longer says what the shipped data says."""
    changed = [
        field.name
        for field in existing._meta.concrete_fields
        if not field.primary_key
        and field.name not in IGNORED_FIELDS
        and getattr(existing, field.attname) != getattr(shipped, field.attname)
    ]
    for name, values in m2m_data.items():
        current = {str(pk) for pk in getattr(existing, name).values_list("pk", flat=True)}
        if current != {str(pk) for pk in values}:
            changed.append(name)
    return changed


class Command(BaseCommand):
    help = (
        "载入随项目发布的数据（行政区划、领域、25个国家级集群及其出处可查的事实）。可重复执行："
        "新行写入，相同的行不动；工作人员改过的行默认保留并列出，加 --overwrite 才恢复为发布的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="把工作人员改过的行恢复为随项目发布的数据")
        parser.add_argument("--quiet-hint", action="store_true", help="不打印创建管理员账号的提示")
        parser.add_argument("--host", default="127.0.0.1:8000", help="提示中的网站地址（make 传入它实际使用的 HOST）")

    @transaction.atomic
    def handle(self, *args, overwrite=False, quiet_hint=False, **options):
        created = unchanged = 0
        kept, restored = [], []
        for name in FIXTURES:
            with open(FIXTURE_DIR / name, encoding="utf-8") as stream:
                for item in serializers.deserialize("json", stream):
                    obj = item.object
                    existing = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
                    if existing is None:
                        item.save()
                        created += 1
                        continue
                    changed = differences(existing, obj, item.m2m_data)
                    if not changed:
                        unchanged += 1
                    elif overwrite:
                        item.save()
                        restored.append((existing, changed))
                    else:
                        kept.append((existing, changed))
        if options["verbosity"]:
            self.stdout.write(
                f"新增 {created} 行，未变 {unchanged} 行，恢复 {len(restored)} 行，保留本地修改 {len(kept)} 行。"
            )
            for obj, changed in kept:
                label = f"{obj._meta.verbose_name}“{obj}”"
                self.stdout.write(f"  保留本地修改：{label}（{'、'.join(changed)}）；用 --overwrite 恢复为发布的数据")
        if not quiet_hint:
            self.stdout.write(
                "\n数据已载入。创建管理员账号 / To create a staff account:\n"
                "  .venv/bin/python manage.py createsuperuser\n"
                f"然后访问 http://{options['host']}/admin/\n"
            )
