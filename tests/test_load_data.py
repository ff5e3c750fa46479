"""`make data` is safe to run on a live database: it adds what is missing and never silently undoes staff edits."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from clusters.models import Cluster, Target

pytestmark = pytest.mark.django_db


def load(*args):
    out = io.StringIO()
    call_command("load_portal_data", *args, stdout=out, quiet_hint=True)
    return out.getvalue()


def test_second_load_reports_everything_unchanged():
    output = load()
    assert "新增 0 行" in output and "保留本地修改 0 行" in output


def test_staff_edit_is_kept_and_reported():
    target = Target.objects.get(cluster__name="江苏省南京市新型电力（智能电网）装备集群")
    target.target_value = 4500
    target.save()
    cluster = Cluster.objects.get(name="上海市集成电路集群")
    cluster.summary = "工作人员补充的简介"
    cluster.save()

    output = load()

    target.refresh_from_db()
    cluster.refresh_from_db()
    assert target.target_value == 4500
    assert cluster.summary == "工作人员补充的简介"
    assert "保留本地修改 2 行" in output
    assert "target_value" in output and "summary" in output


def test_overwrite_restores_the_shipped_values():
    cluster = Cluster.objects.get(name="四川省成都市、德阳市高端能源装备集群")
    cluster.cities.remove(cluster.cities.get(code="510600"))

    output = load("--overwrite")

    assert sorted(cluster.cities.values_list("code", flat=True)) == ["510100", "510600"]
    assert "恢复 1 行" in output


def test_deleted_shipped_row_comes_back():
    Target.objects.filter(cluster__name="湖南省株洲市先进轨道交通装备集群").delete()
    output = load()
    assert Target.objects.filter(cluster__name="湖南省株洲市先进轨道交通装备集群").count() == 1
    assert "新增 1 行" in output


def test_the_reminder_names_the_address_make_serves():
    """`make run HOST=0.0.0.0:8080` serves there, so `make data` points staff there too."""
    out = io.StringIO()
    call_command("load_portal_data", "--host", "0.0.0.0:8080", stdout=out)
    assert "http://0.0.0.0:8080/admin/" in out.getvalue()
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "load_portal_data --host $(HOST)" in makefile and "runserver $(HOST)" in makefile
