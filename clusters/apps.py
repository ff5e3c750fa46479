from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = "先进制造业集群"
    default_auto_field = "django.db.models.BigAutoField"
