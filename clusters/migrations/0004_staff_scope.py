from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0003_import_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffScope",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "is_national",
                    models.BooleanField(default=False, help_text="勾选则不受省份和集群限制", verbose_name="全国范围"),
                ),
                (
                    "clusters",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="clusters.cluster", verbose_name="负责集群"
                    ),
                ),
                (
                    "provinces",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="clusters.province", verbose_name="负责省份"
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        related_name="cluster_scope",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={"verbose_name": "人员职责范围", "verbose_name_plural": "人员职责范围"},
        ),
    ]
