from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("先进制造业集群")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portal.caching import bump_data_version_on_commit

        # Any committed change to any record makes cached public pages and API responses stale.
        for model in self.get_models(include_auto_created=True):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump_data_version_on_commit, sender=model, dispatch_uid=f"bump-{signal}-{model._meta.label}"
                )
        m2m_changed.connect(bump_data_version_on_commit, dispatch_uid="bump-m2m")
