"""`make data`: load the shipped data. Safe on a live database, and an upgrade converges.

A shipped row the database does not hold is added; one it holds unchanged is left alone. A row that
differs is one of two things, told apart by its history (django-simple-history): the loader writes raw,
which records no history, while every staff write (admin, API, import) does. So a row with no history
holds an earlier release's shipped data and is brought up to date; a row with history was changed by
staff and is kept and listed, unless `--overwrite` restores the shipped data.

`fixtures/retired.json` names rows an earlier release shipped under a key this one no longer uses
(南京's 80% had no scope before it was stated as 高压继电保护设备's): they are removed unless staff changed
them, so an upgrade does not keep the old row beside the new one.
"""

import json
from pathlib import Path

from django.apps import apps
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
    "measure_topics.json",
    "divisions.json",
    "indicators.json",
    "batches.json",
    "clusters.json",
    "facts.json",
]
RETIRED = "retired.json"

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


def changed_by_staff(obj):
    """Whether anyone but this loader wrote the row: it has history. Models without history count as changed."""
    history = getattr(type(obj), "history", None)
    # A historical row's own pk is history_id; the row it records is named by the model's pk field.
    return history is None or history.filter(**{obj._meta.pk.name: obj.pk}).exists()


def retired_rows():
    """The rows `fixtures/retired.json` names that the database still holds."""
    with open(FIXTURE_DIR / RETIRED, encoding="utf-8") as stream:
        entries = json.load(stream)
    for entry in entries:
        model = apps.get_model(entry["model"])
        try:
            yield model._default_manager.get_by_natural_key(*entry["natural_key"])
        except model.DoesNotExist:
            continue


class Command(BaseCommand):
    help = (
        "载入随项目发布的数据（行政区划、领域、25个国家级集群及其出处可查的事实）。可重复执行："
        "新行写入，相同的行不动，只由本命令写过的行更新为新发布的数据；工作人员改过的行默认保留并列出，"
        "加 --overwrite 才恢复为发布的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="把工作人员改过的行恢复为随项目发布的数据")
        parser.add_argument("--quiet-hint", action="store_true", help="不打印创建管理员账号的提示")
        parser.add_argument("--host", default="127.0.0.1:8000", help="提示中的网站地址（make 传入它实际使用的 HOST）")

    @transaction.atomic
    def handle(self, *args, overwrite=False, quiet_hint=False, **options):
        created = unchanged = updated = removed = 0
        kept, restored, kept_retired = [], [], []
        for obj in list(retired_rows()):
            if changed_by_staff(obj) and not overwrite:
                kept_retired.append(obj)
            else:
                obj.delete()
                removed += 1
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
                    elif not changed_by_staff(existing):
                        item.save()
                        updated += 1
                    else:
                        kept.append((existing, changed))
        if options["verbosity"]:
            self.stdout.write(
                f"新增 {created} 行，更新 {updated} 行，未变 {unchanged} 行，移除 {removed} 行，"
                f"恢复 {len(restored)} 行，保留本地修改 {len(kept)} 行。"
            )
            for obj, changed in kept:
                label = f"{obj._meta.verbose_name}“{obj}”"
                self.stdout.write(f"  保留本地修改：{label}（{'、'.join(changed)}）；用 --overwrite 恢复为发布的数据")
            for obj in kept_retired:
                self.stdout.write(
                    f"  保留已停止发布的{obj._meta.verbose_name}“{obj}”：工作人员改过，请核对后删除；"
                    "用 --overwrite 删除"
                )
        if not quiet_hint:
            self.stdout.write(
                "\n数据已载入。创建管理员账号 / To create a staff account:\n"
                "  .venv/bin/python manage.py createsuperuser\n"
                f"然后访问 http://{options['host']}/admin/\n"
            )
