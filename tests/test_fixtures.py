"""The shipped data agrees with the seeds (000: 证券时报网 2021-03-23; 004: 《决策参阅》第21期 2021-11-25)."""

import json
import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from clusters.models import (
    Batch,
    Characteristic,
    City,
    Cluster,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    MeasureCategory,
    MeasureTopic,
    Province,
    Source,
    Target,
)

pytestmark = pytest.mark.django_db

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
# The two source documents (PRODUCT.md's seeds/); not shipped with the code.
SEED_DIR = Path(os.environ.get("PORTAL_SEED_DIR", "/work/shared/seeds"))
SEED_FILES = {"seed-000": "000_5be035f8ab1233be.txt", "seed-004": "004_9349ba3a6e29f07f.txt"}
SEED_FIXTURES = ["indicators.json", "batches.json", "clusters.json", "facts.json"]

SHENZHEN_ICT = "广东省深圳市新一代信息通信集群"
SHANGHAI_IC = "上海市集成电路集群"
NANJING_POWER = "江苏省南京市新型电力（智能电网）装备集群"
ZHUZHOU = "湖南省株洲市先进轨道交通装备集群"
GSFG = "广东省广深佛莞智能装备集群"
SG_MED = "广东省深广高端医疗器械集群"
QD_RAIL = "山东省青岛市轨道交通装备集群"
HANGZHOU = "浙江省杭州市数字安防集群"
CHANGSHA = "湖南省长沙市工程机械集群"
CD_DY = "四川省成都市、德阳市高端能源装备集群"
XIAN = "陕西省西安市航空集群"
ZHANGJIANG = "上海市张江生物医药集群"
CHANGZHOU = "江苏省常州市新型碳材料集群"
QD_APPLIANCES = "山东省青岛市智能家电集群"
SUZHOU = "江苏省苏州市纳米新材料集群"
SZ_BATTERY = "广东省深圳市先进电池材料集群"


def clusters_with_cities():
    return Cluster.objects.prefetch_related("cities__province")


# ---------------------------------------------------------------- the fixture files themselves


@pytest.mark.parametrize("name", SEED_FIXTURES)
def test_seed_fixtures_carry_no_pks(name):
    rows = json.loads((FIXTURE_DIR / name).read_text(encoding="utf-8"))
    assert rows
    assert all("pk" not in r for r in rows), "rows are named by their natural keys, never by pk"


# ---------------------------------------------------------------- counts (seed 004, 一 and 附表1)


def test_twenty_five_national_clusters_of_the_2021_batch():
    assert Cluster.objects.count() == 25
    batch = Batch.objects.get(slug="2021-national")
    assert batch.year == 2021
    assert batch.tier == "national"
    assert batch.announced_on is None
    assert batch.source.code == "seed-000"
    assert "两轮集群竞赛" in batch.description and "公示" in batch.description
    assert set(Cluster.objects.values_list("batch__slug", flat=True)) == {"2021-national"}
    assert set(Cluster.objects.values_list("tier", flat=True)) == {"national"}
    assert set(Cluster.objects.values_list("status", flat=True)) == {"key_support"}
    assert Cluster.objects.filter(published=True).count() == 25


def test_nine_provinces_and_twenty_one_cities_hold_a_cluster():
    assert City.objects.filter(clusters__isnull=False).distinct().count() == 21
    assert Province.objects.filter(cities__clusters__isnull=False).distinct().count() == 9
    provinces = {p.short_name for c in clusters_with_cities() for p in c.provinces}
    assert provinces == {"广东", "江苏", "上海", "浙江", "山东", "安徽", "湖南", "四川", "陕西"}


def test_clusters_by_field():
    counts = Counter(Cluster.objects.values_list("field__name", flat=True))
    assert counts == {"信息技术": 10, "高端装备制造": 8, "新材料": 3, "生物": 2, "新能源": 2}


def test_regions_cite_the_national_bureau_of_statistics_and_codes_cite_gb2260():
    nbs = Source.objects.get(code="nbs-regions")
    assert (nbs.publisher, nbs.title) == ("国家统计局", "东西中部和东北地区划分方法")
    assert Counter(Province.objects.exclude(region="").values_list("region", flat=True)) == {
        "east": 10,
        "central": 6,
        "west": 12,
        "northeast": 3,
    }
    assert not Province.objects.exclude(region="").exclude(region_source=nbs).exists()
    assert set(Province.objects.filter(region="").values_list("short_name", flat=True)) == {"香港", "澳门", "台湾"}
    assert not Province.objects.filter(region="").exclude(region_source=None).exists()
    assert not Province.objects.exclude(source__code="gb2260").exists()


def test_more_than_seventy_percent_in_the_east():
    clusters = list(clusters_with_cities())
    eastern = [c for c in clusters if c.provinces and all(p.region == "east" for p in c.provinces)]
    share = len(eastern) / len(clusters)
    assert share > 0.7
    assert len(eastern) == 19  # 25 less 安徽(1), 湖南(2), 四川(2), 陕西(1)


def test_names_slugs_and_short_names():
    for c in Cluster.objects.all():
        assert c.slug and c.slug.isascii(), c.name
        assert c.short_name and c.short_name in c.name, c.name
    slugs = dict(Cluster.objects.values_list("name", "slug"))
    assert slugs[SHENZHEN_ICT] == "shenzhen-ict"
    assert slugs[SHANGHAI_IC] == "shanghai-ic"
    assert slugs[NANJING_POWER] == "nanjing-power-equipment"
    assert slugs["广东省广佛惠超高清视频和智能家电集群"] == "guangfohui-uhd-video-appliances"
    assert Cluster.objects.get(name=SHENZHEN_ICT).short_name == "深圳市新一代信息通信集群"


# ---------------------------------------------------------------- the national division table


def test_national_division_table():
    assert Province.objects.count() == 34
    assert City.objects.count() == 339
    shanghai = Province.objects.get(code="310000")
    assert shanghai.kind == "municipality"
    assert list(shanghai.cities.values_list("code", flat=True)) == ["310000"]
    assert not City.objects.filter(name__contains="乐清").exists()


# ---------------------------------------------------------------- cities of each cluster


@pytest.mark.parametrize(
    ("name", "codes", "provinces"),
    [
        ("广东省广佛惠超高清视频和智能家电集群", {"440100", "440600", "441300"}, ["440000"]),
        (GSFG, {"440100", "440300", "440600", "441900"}, ["440000"]),
        (SG_MED, {"440300", "440100"}, ["440000"]),
        (CD_DY, {"510100", "510600"}, ["510000"]),
        ("浙江省温州市乐清电气集群", {"330300"}, ["330000"]),
        (SHANGHAI_IC, {"310000"}, ["310000"]),
        (ZHANGJIANG, {"310000"}, ["310000"]),
    ],
)
def test_cluster_cities(name, codes, provinces):
    cluster = Cluster.objects.get(name=name)
    assert set(cluster.cities.values_list("code", flat=True)) == codes
    assert [p.code for p in cluster.provinces] == provinces


def test_county_and_district_detail_is_text():
    assert Cluster.objects.get(name="浙江省温州市乐清电气集群").area_note == "乐清（温州市辖县级市）"
    assert "张江" in Cluster.objects.get(name=ZHANGJIANG).area_note


def test_the_multi_city_clusters():
    multi = {c.name for c in clusters_with_cities() if len(c.cities.all()) > 1}
    assert multi == {"广东省广佛惠超高清视频和智能家电集群", GSFG, SG_MED, CD_DY}


# ---------------------------------------------------------------- targets (seed 000)


@pytest.mark.parametrize(
    ("name", "indicator", "value", "year", "qualifier", "words"),
    [
        (NANJING_POWER, "output-value", "4000", 2025, "at_least", "产值突破4000亿元"),
        (ZHUZHOU, "industry-scale", "2000", 2025, "at_least", "集群规模突破2000亿元"),
        (GSFG, "output-value", "10000", 2025, "at_least", "产值突破万亿元"),
        (SHANGHAI_IC, "investment", "3000", 2025, "exact", "“十四五”期间将再投入3000亿元"),
    ],
)
def test_targets(name, indicator, value, year, qualifier, words):
    target = Target.objects.get(cluster__name=name, indicator__code=indicator)
    assert target.target_value == Decimal(value)
    assert target.unit == "亿元"
    assert target.target_year == year
    assert target.qualifier == qualifier
    assert words in target.original_text
    assert target.source.code == "seed-000"
    assert target.baseline_value is None and target.baseline_year is None


def test_only_the_four_targets_of_the_seeds():
    assert Target.objects.count() == 4


# ---------------------------------------------------------------- indicator values


def test_indicators_and_units():
    units = dict(Indicator.objects.values_list("code", "unit"))
    expected = {
        "output-value": "亿元",
        "industry-scale": "亿元",
        "national-share": "%",
        "domestic-market-share": "%",
        "global-market-share": "%",
        "enterprise-count": "家",
        "local-supply-rate": "%",
        "patents": "件",
        "invention-patents": "项",
        "researchers": "人",
        "national-talents": "人",
        "investment": "亿元",
        "key-technologies": "项",
        "standards": "项",
        "driven-economy": "亿元",
    }
    assert expected.items() <= units.items()
    assert Indicator.objects.get(code="output-value").name == "产值"


@pytest.mark.parametrize(
    ("name", "indicator", "period", "value", "qualifier", "source", "words"),
    [
        (SG_MED, "output-value", "2019", "255", "exact", "seed-000", "255亿元"),
        (SG_MED, "national-share", "2019", "42.5", "exact", "seed-000", "42.5%"),
        (SG_MED, "enterprise-count", "2021", "500", "at_least", "seed-000", "500多家"),
        (SHENZHEN_ICT, "industry-scale", "2020", "28000", "exact", "seed-004", "深圳信息产业规模达到2.8万亿元"),
        (SHENZHEN_ICT, "national-share", "2020", "16.67", "about", "seed-004", "电子信息产业占全国行业规模的约1/6"),
        (SHANGHAI_IC, "output-value", "2020", "2000", "at_least", "seed-004", "产值超过2000亿元"),
        (SHANGHAI_IC, "national-share", "2020", "22", "about", "seed-004", "约为22%"),
        (QD_RAIL, "enterprise-count", "2021", "479", "exact", "seed-000", "企业479家"),
        (QD_RAIL, "local-supply-rate", "2021", "50", "at_least", "seed-000", "超过50%"),
        (QD_RAIL, "driven-economy", "2021", "8000", "at_least", "seed-000", "8000亿元以上"),
        (NANJING_POWER, "patents", "2021", "10000", "at_least", "seed-004", "专利10000多件"),
        (NANJING_POWER, "invention-patents", "2021", "4000", "at_least", "seed-004", "4000余项"),
        (NANJING_POWER, "national-talents", "2021", "7", "exact", "seed-004", "国家级人才7人"),
        (NANJING_POWER, "researchers", "2021", "30000", "at_least", "seed-004", "超过30000人"),
        (NANJING_POWER, "standards", "2021", "1000", "at_least", "seed-004", "1000多项"),
        (NANJING_POWER, "domestic-market-share", "2021", "80", "exact", "seed-004", "高压继电保护设备"),
        (HANGZHOU, "global-market-share", "2021", "50", "about", "seed-004", "接近50%"),
        (CD_DY, "key-technologies", "2021", "424", "exact", "seed-004", "424项关键核心技术"),
    ],
)
def test_key_indicator_values(name, indicator, period, value, qualifier, source, words):
    v = IndicatorValue.objects.get(cluster__name=name, indicator__code=indicator, period=period, scope__in=SCOPES)
    assert v.value == Decimal(value)
    assert v.qualifier == qualifier
    assert v.source.code == source
    assert words in v.original_text


SCOPES = ["", "深圳信息产业", "深圳电子信息产业", "高压继电保护设备"]


def test_lower_bounds_stay_lower_bounds():
    """Every figure the seeds give with 超过/以上/多/余/突破/上万 is stored as at_least, never exact."""
    for v in IndicatorValue.objects.all():
        text = v.original_text
        bound = any(w in text for w in ("超过", "以上", "多件", "多项", "多家", "余项", "上万"))
        if bound:
            assert v.qualifier == "at_least", (v, text)
    assert not IndicatorValue.objects.filter(qualifier="exact", original_text__contains="接近").exists()


def test_nanjing_market_shares_each_for_its_product():
    """Seed 004: 高压继电保护设备 达80%, 省、地级电网调度自动化系统及设备 分别超90%、40% — three figures, three scopes."""
    shares = IndicatorValue.objects.filter(cluster__name=NANJING_POWER, indicator__code="domestic-market-share")
    assert sorted(
        shares.values_list("scope", "value", "qualifier", "period", "period_is_report_year", "source__code")
    ) == [
        ("地级电网调度自动化系统及设备", Decimal("40"), "at_least", "2021", True, "seed-004"),
        ("省级电网调度自动化系统及设备", Decimal("90"), "at_least", "2021", True, "seed-004"),
        ("高压继电保护设备", Decimal("80"), "exact", "2021", True, "seed-004"),
    ]
    assert not shares.filter(scope="").exists(), "no share of the whole cluster: the source gives none"
    assert shares.get(scope="高压继电保护设备").original_text == "高压继电保护设备国内市场占有率达80%"
    for scope in ("省级电网调度自动化系统及设备", "地级电网调度自动化系统及设备"):
        assert shares.get(scope=scope).original_text == "省、地级电网调度自动化系统及设备国内市场占有率分别超90%、40%"
    assert not shares.exclude(note="").exists()
    text = Characteristic.objects.get(cluster__name=NANJING_POWER, category="market_share").text
    assert "分别超90%、40%" in text


def test_shenzhen_figures_are_the_citys_industry_and_say_so():
    scale = IndicatorValue.objects.get(cluster__name=SHENZHEN_ICT, indicator__code="industry-scale")
    assert (scale.period, scale.scope, scale.value, scale.qualifier) == ("2020", "深圳信息产业", 28000, "exact")
    assert scale.original_text == "2020年深圳信息产业规模达到2.8万亿元"  # the source's words, no caveat in them
    assert scale.note == "原文为深圳信息产业规模，非集群口径"
    assert not scale.period_is_report_year


def test_shenzhen_electronics_share_of_about_one_sixth():
    """“电子信息产业占全国行业规模的约1/6”: stored as 16.67% (the indicator's unit) with 约, and the note says
    the percentage is a conversion of the source's fraction and whose share it is."""
    share = IndicatorValue.objects.get(cluster__name=SHENZHEN_ICT, indicator__code="national-share")
    assert (share.period, share.scope, share.value, share.qualifier) == (
        "2020",
        "深圳电子信息产业",
        Decimal("16.67"),
        "about",
    )
    assert share.value == round(Decimal(100) / 6, 2)
    assert share.original_text.endswith("电子信息产业占全国行业规模的约1/6")
    assert share.original_text.startswith("2020年")  # the year that opens the source's sentence
    assert "约1/6" in share.note and "换算" in share.note and "非集群口径" in share.note
    assert share.source.code == "seed-004" and not share.period_is_report_year


YEAR = re.compile(r"(19|20)\d\d年")


def test_report_year_marks_exactly_the_figures_whose_year_the_source_does_not_state():
    """A seed gives no year for these figures: their period is the report's year (2021), and says so."""
    flagged = IndicatorValue.objects.filter(period_is_report_year=True)
    # The 19 the audit found, plus 南京's two shares stored now beside the 80% (same sentence, no year).
    assert flagged.count() == 21
    assert set(flagged.values_list("period", flat=True)) == {"2021"}
    for value in IndicatorValue.objects.select_related("source"):
        assert value.period_is_report_year == (not YEAR.search(value.original_text)), value
        if not value.period_is_report_year:
            assert value.period in value.original_text, value
    assert not IndicatorValue.objects.filter(period="2021", period_is_report_year=False).exists()


def normalized(text):
    """The seeds' text as extracted from PDF and HTML: spaces inside words, ASCII punctuation, 髙 for 高."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\s+", "", text).replace("髙", "高")
    return text.translate(str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}))


def seed_text(code):
    path = SEED_DIR / SEED_FILES[code]
    if not path.exists():
        pytest.skip(f"the source documents are not at {SEED_DIR} (set PORTAL_SEED_DIR)")
    return normalized(path.read_text(encoding="utf-8"))


def test_every_original_text_quotes_its_seed_word_for_word():
    seeds = {code: seed_text(code) for code in SEED_FILES}
    for model in (IndicatorValue, Target):
        for row in model.objects.select_related("source"):
            assert normalized(row.original_text) in seeds[row.source.code], (model.__name__, row, row.original_text)


# ---------------------------------------------------------------- lead enterprises, origins, characteristics


@pytest.mark.parametrize(
    ("name", "enterprises", "source"),
    [
        (HANGZHOU, ["海康威视", "大华股份", "宇视科技"], "seed-004"),
        (CHANGSHA, ["三一", "中联", "山河智能", "铁建重工"], "seed-004"),
        (QD_RAIL, ["中车四方股份", "中车四方所"], "seed-000"),
    ],
)
def test_lead_enterprises(name, enterprises, source):
    leads = LeadEnterprise.objects.filter(cluster__name=name).order_by("order")
    assert [le.enterprise.name for le in leads] == enterprises
    assert {le.source.code for le in leads} == {source}


def test_origins():
    shanghai = Cluster.objects.get(name=SHANGHAI_IC)
    assert shanghai.origin_year == 1958
    assert "1958" in shanghai.origin_note
    battery = Cluster.objects.get(name=SZ_BATTERY)
    assert battery.origin_year is None  # “上世纪90年代初” names no year
    assert "上世纪90年代初" in battery.origin_note
    assert Cluster.objects.exclude(origin_year=None).count() == 1


def test_every_trait_of_seed_004_section_two():
    expected = {
        (SZ_BATTERY, "first_mover"),
        (SHANGHAI_IC, "first_mover"),
        (SHENZHEN_ICT, "scale"),
        (SHANGHAI_IC, "scale"),
        (NANJING_POWER, "market_share"),
        (HANGZHOU, "market_share"),
        ("江苏省无锡市物联网集群", "chain"),
        (XIAN, "chain"),
        (HANGZHOU, "lead_enterprises"),
        (CHANGSHA, "lead_enterprises"),
        (CD_DY, "core_technology"),
        (NANJING_POWER, "core_technology"),
        (ZHANGJIANG, "innovation"),
        (NANJING_POWER, "innovation"),
    }
    from_004 = set(Characteristic.objects.filter(source__code="seed-004").values_list("cluster__name", "category"))
    assert from_004 == expected
    from_000 = set(Characteristic.objects.filter(source__code="seed-000").values_list("cluster__name", "category"))
    assert from_000 == {(SG_MED, "chain"), (SG_MED, "scale"), (QD_RAIL, "chain"), (QD_RAIL, "lead_enterprises")}
    assert "“一小时”外协与定制加工供应圈" in Characteristic.objects.get(cluster__name=SG_MED, category="chain").text


# ---------------------------------------------------------------- measures


@pytest.mark.parametrize(
    ("name", "document"),
    [
        (SHENZHEN_ICT, "《深圳新一代信息技术产业振兴发展规划(2011-2015年)》"),
        (SHENZHEN_ICT, "《关于支持企业提升竞争力的若干措施》"),
        (SHENZHEN_ICT, "《关于促进人才优先发展的若干措施》"),
        (SHENZHEN_ICT, "《深圳市重点产业链“链长制”工作方案》"),
        (XIAN, "《加快建设先进制造业强市的实施意见》"),
        (XIAN, "《加快推进军民融合产业发展的实施方案》"),
        (XIAN, "《西安航空产业发展规划》"),
        (QD_RAIL, "《轨道交通产业链精准招商工作实施方案》"),
        (QD_RAIL, "《青岛市轨道交通装备配套产品目录库》"),
    ],
)
def test_measure_documents(name, document):
    measure = Measure.objects.get(document_title=document)
    assert measure.cluster.name == name
    assert measure.source.code == "seed-004"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (XIAN, "国家航空高技术产业基地"),
        (XIAN, "西安航空基地管理委员会"),
        (SHENZHEN_ICT, "重点产业“链长制”"),
        (SHENZHEN_ICT, "重大科技攻关"),
        (HANGZHOU, "断链断供风险清单"),
        (HANGZHOU, "企业共同体"),
        (ZHANGJIANG, "国家生物药制造业创新中心"),
        (NANJING_POWER, "攻关清单"),
        (NANJING_POWER, "产业联盟"),
        (CHANGZHOU, "石墨烯创新中心"),
        (CHANGZHOU, "院所高校开展合作"),
        (QD_APPLIANCES, "卡奥斯"),
        (SUZHOU, "营商环境"),
        (SUZHOU, "人才"),
        (SUZHOU, "科技金融"),
        (SUZHOU, "制度创新"),
        (SHANGHAI_IC, "3000亿元"),
        (SG_MED, "政府基金引导"),
        (QD_RAIL, "产业技术创新战略联盟"),
    ],
)
def test_locality_measures(name, words):
    assert Measure.objects.filter(cluster__name=name, description__contains=words).exists()


def test_measure_categories_are_the_four_headings_of_seed_004():
    """Seed 004 摘要: “总结了各地在顶层设计、强链补链、搭建平台、开放合作四个方面的经验做法”."""
    assert list(MeasureCategory.objects.values_list("name", flat=True)) == [
        "顶层设计",
        "强链补链",
        "搭建平台",
        "开放合作",
    ]


SECTIONS = {  # seed 004, 三、经验做法: the measures each numbered heading holds
    "top-level-design": {SHENZHEN_ICT: 4, XIAN: 5},
    "chain-strengthening": {SHENZHEN_ICT: 2, QD_RAIL: 2, HANGZHOU: 2},
    "platforms": {ZHANGJIANG: 1, NANJING_POWER: 4, CHANGZHOU: 2},
    "open-cooperation": {QD_APPLIANCES: 2, SUZHOU: 4},
}


@pytest.mark.parametrize("slug", SECTIONS)
def test_each_seed_004_measure_is_filed_under_its_own_heading(slug):
    measures = Measure.objects.filter(source__code="seed-004", category__slug=slug)
    assert Counter(measures.values_list("cluster__name", flat=True)) == SECTIONS[slug]


def test_the_six_measures_the_audit_found_misfiled():
    assert Measure.objects.get(cluster__name=XIAN, title="成立西安航空基地管理委员会").category.name == "顶层设计"
    funded = Measure.objects.get(cluster__name=NANJING_POWER, title="制定产业链关键技术攻关清单并给予资金支持")
    assert funded.category.name == "搭建平台"
    assert [t.slug for t in funded.topics.all()] == ["funding"]  # the words “给予资金支持” stay findable
    assert set(Measure.objects.filter(cluster__name=SUZHOU).values_list("category__name", flat=True)) == {"开放合作"}


def test_seed_000_files_its_measures_under_no_category():
    assert Measure.objects.filter(source__code="seed-000").exists()
    assert not Measure.objects.filter(source__code="seed-000").exclude(category=None).exists()
    assert not Measure.objects.filter(source__code="seed-004", category=None).exists()


def test_topics_are_the_words_of_the_sources():
    assert list(MeasureTopic.objects.values_list("name", flat=True)) == [
        "资金支持",
        "人才",
        "个税减免",
        "中小企业培育",
        "营商环境",
        "集群治理",
    ]
    for topic in MeasureTopic.objects.exclude(slug__in=["governance", "business-environment"]):
        assert topic.name in seed_text("seed-000"), topic


def test_shanghai_ic_policies_from_seed_000():
    topics = Measure.topics.through.objects.filter(measure__cluster__name=SHANGHAI_IC, measure__source__code="seed-000")
    assert set(topics.values_list("measuretopic__slug", flat=True)) == {"funding", "talent", "tax", "sme-cultivation"}
    suzhou = Measure.topics.through.objects.filter(measure__cluster__name=SUZHOU)
    assert set(suzhou.values_list("measuretopic__slug", flat=True)) == {"business-environment", "talent", "funding"}


def test_local_support_rules_of_seed_000_as_a_programme_wide_measure():
    measure = Measure.objects.get(cluster=None, description__contains="集群所在地支持细则")
    assert measure.description == (
        "集群所在地支持细则也进一步明确，围绕资金支持、个税减免、中小企业培育等进一步出台针对性举措，"
        "瞄准千亿级、万亿级的规模打造集群发展新优势。"
    )
    assert measure.source.code == "seed-000" and measure.category is None
    assert sorted(t.slug for t in measure.topics.all()) == ["funding", "sme-cultivation", "tax"]


def test_the_14th_five_year_plan_outline_has_its_official_title():
    measure = Measure.objects.get(cluster=None, title="“十四五”规划纲要提出培育先进制造业集群")
    assert measure.document_title == "《中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要》"


def test_programme_wide_measures_of_the_ministry():
    programme = Measure.objects.filter(cluster=None)
    words = [
        "一张蓝图",
        "专项行动",
        "制造业创新中心建设",
        "政府投资基金",
        "重大工程和项目",
        "专精特新",
        "集群发展促进组织",
        "动态管理",
        "多梯次集群培育体系",
    ]
    for w in words:
        assert programme.filter(description__contains=w, issuing_body="工业和信息化部").exists(), w


def test_measure_dates_only_where_the_seed_gives_one():
    assert not Measure.objects.exclude(issued_on=None).exists()
    hangzhou = Measure.objects.get(cluster__name=HANGZHOU, title="数字安防断链断供风险清单摸排")
    assert hangzhou.description.startswith("2020年")


# ---------------------------------------------------------------- provenance


def test_every_fact_cites_a_source():
    for model in (IndicatorValue, Target, Measure, LeadEnterprise, Characteristic):
        assert not model.objects.filter(source=None).exists(), model
        assert set(model.objects.values_list("source__code", flat=True)) <= {"seed-000", "seed-004"}
    assert not IndicatorValue.objects.filter(original_text="").exists()
    assert not Target.objects.filter(original_text="").exists()
    assert not Measure.objects.filter(description="").exists()
    for cluster in Cluster.objects.prefetch_related("sources"):
        assert "seed-004" in {s.code for s in cluster.sources.all()}, cluster


def test_clusters_seed_000_speaks_of_cite_it():
    cited = set(Cluster.objects.filter(sources__code="seed-000").values_list("name", flat=True))
    assert cited == {SHENZHEN_ICT, SHANGHAI_IC, NANJING_POWER, ZHUZHOU, GSFG, SG_MED, QD_RAIL}


def test_nothing_is_synthetic():
    for model in apps.get_app_config("clusters").get_models():
        if any(f.name == "is_synthetic" for f in model._meta.get_fields()):
            assert not model.objects.filter(is_synthetic=True).exists(), model


# ---------------------------------------------------------------- loading twice


def dump_clusters_app():
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("clusters").get_models(include_auto_created=True)
    }


def test_loading_again_changes_nothing():
    before = dump_clusters_app()
    call_command("load_portal_data", verbosity=0, quiet_hint=True)
    after = dump_clusters_app()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    for label in before:
        assert after[label] == before[label], label
