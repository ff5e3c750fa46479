from .clusters import Batch, Characteristic, Cluster, Enterprise, Field, LeadEnterprise, PromotionOrganization
from .divisions import City, Province
from .evaluations import DimensionScore, EvaluationRecord, EvaluationScheme, EvaluationTransition, SchemeDimension
from .imports import ImportPreviewPage, ImportRecord
from .indicators import Indicator, IndicatorValue, Target
from .measures import Measure, MeasureCategory, MeasureTopic
from .roles import StaffScope
from .sources import Source

__all__ = [
    "Batch",
    "Characteristic",
    "City",
    "Cluster",
    "DimensionScore",
    "Enterprise",
    "EvaluationRecord",
    "EvaluationScheme",
    "EvaluationTransition",
    "Field",
    "ImportPreviewPage",
    "ImportRecord",
    "Indicator",
    "IndicatorValue",
    "LeadEnterprise",
    "Measure",
    "MeasureCategory",
    "MeasureTopic",
    "PromotionOrganization",
    "Province",
    "SchemeDimension",
    "Source",
    "StaffScope",
    "Target",
]
