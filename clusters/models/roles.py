from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StaffScope(models.Model):
    """Which provinces and clusters a staff member may edit (省级编辑、集群编辑、评审员).

    National administrators and superusers are not limited; a user without a scope row and without
    national rights reaches no records.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="cluster_scope"
    )
    is_national = models.BooleanField(_("全国范围"), default=False, help_text=_("勾选则不受省份和集群限制"))
    provinces = models.ManyToManyField("clusters.Province", verbose_name=_("负责省份"), blank=True, related_name="+")
    clusters = models.ManyToManyField("clusters.Cluster", verbose_name=_("负责集群"), blank=True, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("model", "人员职责范围")
        verbose_name_plural = pgettext_lazy("models", "人员职责范围")

    def __str__(self):
        return f"{self.user} 的职责范围"
