"""Closed vocabularies of the domain. Open ones (fields, indicators, measure categories) are data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProvinceKind(models.TextChoices):
    PROVINCE = "province", _("省")
    AUTONOMOUS_REGION = "autonomous_region", _("自治区")
    MUNICIPALITY = "municipality", _("直辖市")
    SAR = "sar", _("特别行政区")


class Region(models.TextChoices):
    """The National Bureau of Statistics' four economic regions; 东部 is the eastern coast."""

    EAST = "east", _("东部")
    CENTRAL = "central", _("中部")
    WEST = "west", _("西部")
    NORTHEAST = "northeast", _("东北")
    __empty__ = _("其他")


class CityKind(models.TextChoices):
    PREFECTURE_CITY = "prefecture_city", _("地级市")
    PREFECTURE = "prefecture", _("地区")
    AUTONOMOUS_PREFECTURE = "autonomous_prefecture", _("自治州")
    LEAGUE = "league", _("盟")
    MUNICIPALITY = "municipality", _("直辖市")
    SAR = "sar", _("特别行政区")


class Tier(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")


class ClusterStatus(models.TextChoices):
    CULTIVATING = "cultivating", _("培育中")
    KEY_SUPPORT = "key_support", _("重点支持")
    WARNING = "warning", _("警示")
    EXITED = "exited", _("退出")


class CharacteristicCategory(models.TextChoices):
    """The seven shared traits of seed 004, section 二."""

    FIRST_MOVER = "first_mover", _("先发优势")
    SCALE = "scale", _("产业规模")
    MARKET_SHARE = "market_share", _("市场份额")
    CHAIN = "chain", _("产业链条")
    LEAD_ENTERPRISES = "lead_enterprises", _("链主企业")
    CORE_TECHNOLOGY = "core_technology", _("核心技术")
    INNOVATION = "innovation", _("创新要素")
    OTHER = "other", _("其他")


class IndicatorKind(models.TextChoices):
    MONEY = "money", _("金额")
    SHARE = "share", _("占比")
    COUNT = "count", _("数量")
    OTHER = "other", _("其他")


class Qualifier(models.TextChoices):
    """How the source states a figure; a lower bound stays a lower bound."""

    EXACT = "exact", _("＝")
    AT_LEAST = "at_least", _("超过/以上")
    ABOUT = "about", _("约/接近")
    BELOW = "below", _("不足")


class SourceKind(models.TextChoices):
    NEWS = "news", _("新闻报道")
    BRIEF = "brief", _("研究简报")
    GOVERNMENT = "government", _("政府文件")
    STANDARD = "standard", _("标准")
    SUBMISSION = "submission", _("地方报送")
    OTHER = "other", _("其他")


class EvaluationType(models.TextChoices):
    COMPETITION_FINAL = "competition_final", _("竞赛决赛")
    ACCEPTANCE = "acceptance", _("验收")
    ANNUAL_MONITORING = "annual_monitoring", _("年度监测")
    REVIEW = "review", _("复核")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Conclusion(models.TextChoices):
    RETAIN = "retain", _("保留")
    WARNING = "warning", _("警示")
    EXIT = "exit", _("退出")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("已退回")
