"""The spreadsheet import speaks plain English in the English UI, and Chinese by default (issue 5)."""

import ast
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from clusters.choices import Tier
from clusters.sheets.parsing import ParseError, parse_choice
from clusters.sheets.writers import template_file

from .import_helpers import SHENZHEN, VALUE_HEADER, counts, csv_bytes
from .job_helpers import run_jobs

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
IMPORT_URL = "admin:clusters_indicatorvalue_sheet_import"

BAD_ROWS = [
    VALUE_HEADER,
    ["不存在的集群", "产值", "2030", "12", "", ""],  # row 2: unknown cluster
    [SHENZHEN, "产值", "2030年13月", "12", "", ""],  # row 3: bad period
    [SHENZHEN, "企业数", "2031", "3000亿元", "", ""],  # row 4: 亿元 cannot become 家
    [SHENZHEN, "新增投资", "2032", "3000万元", "", ""],  # row 5
    [SHENZHEN, "新增投资", "2032", "3000万元", "", ""],  # row 6: duplicate of row 5
]

ENGLISH = [
    "Row 2, column “集群名称” (Cluster name): no cluster named “不存在的集群” "
    "(looked up by full name, short name or slug)",
    "Row 3, column “期间” (Period): “2030年13月” has an invalid month",
    "Row 4, column “数值” (Value): the unit “亿元” cannot be converted to the indicator's unit “家” "
    "(value: “3000亿元”)",
    "Row 6, column “集群名称” (Cluster name): duplicate of row 5 "
    f"(only one row may have the same cluster, indicator, period and scope) (value: “{SHENZHEN}”)",
]
CHINESE = [
    "第 2 行 “集群名称”列：找不到集群“不存在的集群”（按集群全称、简称或网址标识查找）",
    "第 3 行 “期间”列：“2030年13月”的月份无效",
    "第 4 行 “数值”列：单位“亿元”无法换算为“家”（值：3000亿元）",
    f"第 6 行 “集群名称”列：与第 5 行重复（集群、指标、期间、口径 相同的只能有一行）。（值：{SHENZHEN}）",
]


@pytest.fixture(autouse=True)
def portal_language():
    """Each test starts, and leaves the next one, in the portal's default language: LocaleMiddleware activates
    a request's language in the thread and the test client does not undo it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("clerk", "clerk@example.com", "pw")
    client.force_login(user)
    return client


def upload(client, **headers):
    """The upload in the clerk's language, the check by a worker, the job page in that language again."""
    data = csv_bytes(BAD_ROWS)
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("报送.csv", data)}, **headers)
    assert response.status_code == 302, response.status_code
    run_jobs()
    return client.get(response["Location"], **headers)


def test_admin_errors_read_in_english(admin_client):
    before = counts()
    response = upload(admin_client, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    errors = [str(error) for error in response.context["result"].errors]
    assert errors == ENGLISH
    page = response.content.decode()
    assert "Found 4 errors; nothing was written." in page
    for header in ("<th>Row</th>", "<th>Column</th>", "<th>Value</th>", "<th>Reason</th>"):
        assert header in page
    assert "集群名称 (Cluster name)" in page  # the column cell explains the Chinese header
    assert "no cluster named “不存在的集群” (looked up by full name, short name or slug)" in page
    assert "the unit “亿元” cannot be converted to the indicator&#x27;s unit “家”" in page
    assert "Download the error workbook" in page and "Upload another file" in page
    assert counts() == before


def test_the_language_cookie_chooses_english_too(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(admin_client)
    assert [str(error) for error in response.context["result"].errors] == ENGLISH


def test_the_same_file_in_chinese(admin_client):
    response = upload(admin_client)  # no Accept-Language: the portal's default, Chinese
    assert response.headers["Content-Language"] == "zh-hans"
    assert [str(error) for error in response.context["result"].errors] == CHINESE
    page = response.content.decode()
    assert "发现 4 处错误，没有写入任何数据。" in page
    assert "集群名称 (" not in page


def test_admin_upload_page_and_change_list_in_english(admin_client):
    page = admin_client.get(reverse(IMPORT_URL), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "English field name" in page
    assert "The cluster&#x27;s full name, short name or slug" in page
    change_list = admin_client.get(
        reverse("admin:clusters_indicatorvalue_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert ">Import</a>" in change_list and ">Export csv</a>" in change_list and ">Download template</a>" in change_list


def test_command_prints_english_under_an_english_override(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(BAD_ROWS))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_sheet", "indicator-values", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == ENGLISH
    assert str(raised.value) == "4 errors (in 4 rows); nothing was written."


def test_command_language_option_and_default(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(BAD_ROWS))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_sheet", "indicator-values", str(path), "--language", "en", stderr=err)
    assert err.getvalue().splitlines() == ENGLISH
    err = io.StringIO()
    with pytest.raises(CommandError, match="没有写入任何数据"):  # no --language: the active one, Chinese here
        call_command("import_sheet", "indicator-values", str(path), stderr=err)
    assert err.getvalue().splitlines() == CHINESE
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_choice_values_parse_in_either_language_and_errors_name_both():
    with translation.override("en"):
        assert parse_choice("国家级", Tier) == parse_choice("National", Tier) == parse_choice("national", Tier)
        with pytest.raises(ParseError) as raised:
            parse_choice("部级", Tier)
    assert str(raised.value) == (
        "“部级” is not one of the allowed values (国家级 (National), 省级 (Provincial), 市级 (Municipal))"
    )
    with pytest.raises(ParseError, match="可选：国家级、省级、市级"):
        parse_choice("部级", Tier)


def test_template_explains_columns_in_english_but_keeps_chinese_headers(db):
    from openpyxl import load_workbook

    with translation.override("en"):
        content, _type, _name = template_file("clusters")
    workbook = load_workbook(io.BytesIO(content))
    data, notes = workbook.worksheets
    assert data.cell(1, 1).value == "集群名称"  # the headers are the sheet's, in every language
    assert data.cell(2, 5).value in ("国家级", "省级", "市级")  # the example row is data, not translated
    assert [cell.value for cell in notes[1]] == ["Column", "English field name", "Required", "Notes"]
    assert notes.cell(2, 4).value == "The official full name; a cluster is created or updated by its full name"


# --- The catalogue: every import message has a real English translation --------------------------------------------


def po_entries(path):
    """The entries of a .po file: {'refs': [...], 'flags': {...}, 'msgid': ..., 'msgstr': ...} (plain Python)."""
    entries, entry, key = [], {"refs": [], "flags": set()}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = {"refs": [], "flags": set()}, None
        elif line.startswith("#:"):
            entry["refs"].extend(line[2:].split())
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


IMPORT_SOURCES = (
    "clusters/sheets/",
    "clusters/management/commands/import_sheet.py",
    "templates/admin/clusters/import/",
)


def test_every_import_message_has_an_english_translation():
    entries = [e for e in po_entries(PO) if e["msgid"] and any(r.startswith(IMPORT_SOURCES) for r in e["refs"])]
    assert len(entries) > 150
    missing = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or not all(e[k].strip() for k in e if k.startswith("msgstr"))
    ]
    assert missing == []


def test_the_whole_catalogue_has_no_fuzzy_entries():
    assert [e["msgid"] for e in po_entries(PO) if "fuzzy" in e["flags"]] == []
