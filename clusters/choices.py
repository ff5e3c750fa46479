"""Closed vocabularies of the domain. Open ones (fields, indicators, measure categories) are data."""

from django.db import models


class ProvinceKind(models.TextChoices):
    PROVINCE = "province", "省"
    AUTONOMOUS_REGION = "autonomous_region", "自治区"
    MUNICIPALITY = "municipality", "直辖市"
    SAR = "sar", "特别行政区"


class Region(models.TextChoices):
    """The National Bureau of Statistics' four economic regions; 东部 is the eastern coast."""

    EAST = "east", "东部"
    CENTRAL = "central", "中部"
    WEST = "west", "西部"
    NORTHEAST = "northeast", "东北"
    __empty__ = "其他"


class CityKind(models.TextChoices):
    PREFECTURE_CITY = "prefecture_city", "地级市"
    PREFECTURE = "prefecture", "地区"
    AUTONOMOUS_PREFECTURE = "autonomous_prefecture", "自治州"
    LEAGUE = "league", "盟"
    MUNICIPALITY = "municipality", "直辖市"
    SAR = "sar", "特别行政区"


class Tier(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"


class ClusterStatus(models.TextChoices):
    CULTIVATING = "cultivating", "培育中"
    KEY_SUPPORT = "key_support", "重点支持"
    WARNING = "warning", "警示"
    EXITED = "exited", "退出"


class CharacteristicCategory(models.TextChoices):
    """The seven shared traits of seed 004, section 二."""

    FIRST_MOVER = "first_mover", "先发优势"
    SCALE = "scale", "产业规模"
    MARKET_SHARE = "market_share", "市场份额"
    CHAIN = "chain", "产业链条"
    LEAD_ENTERPRISES = "lead_enterprises", "链主企业"
    CORE_TECHNOLOGY = "core_technology", "核心技术"
    INNOVATION = "innovation", "创新要素"
    OTHER = "other", "其他"


class IndicatorKind(models.TextChoices):
    MONEY = "money", "金额"
    SHARE = "share", "占比"
    COUNT = "count", "数量"
    OTHER = "other", "其他"


class Qualifier(models.TextChoices):
    """How the source states a figure; a lower bound stays a lower bound."""

    EXACT = "exact", "＝"
    AT_LEAST = "at_least", "超过/以上"
    ABOUT = "about", "约/接近"
    BELOW = "below", "不足"


class SourceKind(models.TextChoices):
    NEWS = "news", "新闻报道"
    BRIEF = "brief", "研究简报"
    GOVERNMENT = "government", "政府文件"
    STANDARD = "standard", "标准"
    SUBMISSION = "submission", "地方报送"
    OTHER = "other", "其他"


class EvaluationType(models.TextChoices):
    COMPETITION_FINAL = "competition_final", "竞赛决赛"
    ACCEPTANCE = "acceptance", "验收"
    ANNUAL_MONITORING = "annual_monitoring", "年度监测"
    REVIEW = "review", "复核"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class Conclusion(models.TextChoices):
    RETAIN = "retain", "保留"
    WARNING = "warning", "警示"
    EXIT = "exit", "退出"


class EvaluationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "已退回"
