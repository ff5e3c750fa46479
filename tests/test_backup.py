"""The README's backup recipe (dumpdata) restores into an empty database with nothing lost."""

import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from clusters.choices import EvaluationType
from clusters.models import Cluster, EvaluationRecord, Province, StaffScope

WHOLE_SECOND = re.compile(r"(T\d{2}:\d{2}:\d{2})\.000Z")
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


def dump(path):
    call_command("dumpdata", "--natural-foreign", "--indent", "1", exclude=EXCLUDE, output=str(path))
    # Django's JSON keeps times to the millisecond: 12:00:51.000412 is written "12:00:51.000Z" and, read
    # back, written "12:00:51Z". Same millisecond, so they compare equal.
    return json.loads(WHOLE_SECOND.sub(r"\1Z", path.read_text(encoding="utf-8")))


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_app_config("clusters").get_models()}


@pytest.mark.django_db(transaction=True)
def test_dump_restores_into_an_empty_database(shipped_data, django_user_model, tmp_path):
    # Rows the fixtures do not have: staff, their scope, an evaluation and edit history.
    editor = django_user_model.objects.create_user("editor", password="x-long-password-1")
    StaffScope.objects.create(user=editor).provinces.add(Province.objects.get(code="440000"))
    cluster = Cluster.objects.get(slug="shanghai-ic")
    cluster.summary = "备份测试"
    cluster.save()
    EvaluationRecord.objects.create(
        cluster=cluster, period="2024", evaluation_type=EvaluationType.REVIEW, evaluating_body="测试机构"
    )
    before_counts = row_counts()
    before = dump(tmp_path / "before.json")

    call_command("flush", interactive=False)
    assert Cluster.objects.count() == 0

    call_command("loaddata", str(tmp_path / "before.json"))

    assert row_counts() == before_counts
    assert dump(tmp_path / "after.json") == before
    assert Cluster.objects.get(slug="shanghai-ic").summary == "备份测试"
    assert list(StaffScope.objects.get(user__username="editor").provinces.values_list("code", flat=True)) == ["440000"]
