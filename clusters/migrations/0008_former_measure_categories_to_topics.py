"""Its own migration, so its row updates never share a PostgreSQL transaction with a schema change."""

from django.db import migrations

# Earlier releases filed measures under six words no source uses as a category (seed 000 speaks of
# 资金支持、个税减免、中小企业培育, seed 004 files its measures under four headings only). They become
# topics with the same slug, name and order: each measure keeps the word as a topic and loses it as a
# category; `load_portal_data` then files the shipped measures under their source's own category.
FORMER_CATEGORIES = ["funding", "talent", "business-environment", "tax", "sme-cultivation", "governance"]
# What reversing this migration files the remaining measures under (the old schema needs a category).
ROLLBACK_CATEGORY = "uncategorised"


def categories_to_topics(apps, schema_editor):
    Category = apps.get_model("clusters", "MeasureCategory")
    Topic = apps.get_model("clusters", "MeasureTopic")
    Measure = apps.get_model("clusters", "Measure")
    Through = Measure.topics.through
    for category in Category.objects.filter(slug__in=FORMER_CATEGORIES):
        topic, _ = Topic.objects.get_or_create(
            slug=category.slug, defaults={"name": category.name, "name_en": category.name_en, "order": category.order}
        )
        measures = Measure.objects.filter(category=category)
        Through.objects.bulk_create(
            [Through(measure_id=pk, measuretopic_id=topic.pk) for pk in measures.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
        measures.update(category=None)
        category.delete()
    Measure.objects.filter(category__slug=ROLLBACK_CATEGORY).update(category=None)
    Category.objects.filter(slug=ROLLBACK_CATEGORY).delete()


def topics_to_categories(apps, schema_editor):
    """Back to one category per measure (0007 reversed requires one): an uncategorised measure takes its
    first former-category topic, or 未分类 if it has none."""
    Category = apps.get_model("clusters", "MeasureCategory")
    Topic = apps.get_model("clusters", "MeasureTopic")
    Measure = apps.get_model("clusters", "Measure")
    for topic in Topic.objects.filter(slug__in=FORMER_CATEGORIES).order_by("order"):
        category, _ = Category.objects.get_or_create(
            slug=topic.slug, defaults={"name": topic.name, "name_en": topic.name_en, "order": topic.order}
        )
        Measure.objects.filter(category=None, topics=topic).update(category=category)
    if Measure.objects.filter(category=None).exists():
        rest, _ = Category.objects.get_or_create(
            slug=ROLLBACK_CATEGORY, defaults={"name": "未分类", "name_en": "Uncategorised", "order": 99}
        )
        Measure.objects.filter(category=None).update(category=rest)


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0007_measure_topics_and_region_source"),
    ]

    operations = [
        migrations.RunPython(categories_to_topics, topics_to_categories),
    ]
