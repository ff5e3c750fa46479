"""The staff admin's home: models grouped by the task they serve, with what waits for the signed-in user.

Django lists every model of an app in one alphabetical group; a clerk looking for 集群 found it near the
bottom of 21 models. Here the groups follow the work (data, evaluation, reference tables, people), in the
order a clerk needs them, and the evaluation group says how many records wait for review or publication
within the user's scope.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (group title, slug, model labels in order). A registered model not named here falls into the last group.
GROUPS = [
    (
        _("集群与数据"),
        "data",
        [
            "clusters.cluster",
            "clusters.indicatorvalue",
            "clusters.target",
            "clusters.measure",
            "clusters.leadenterprise",
            "clusters.characteristic",
            "clusters.enterprise",
            "clusters.promotionorganization",
            "clusters.importrecord",
        ],
    ),
    (
        _("评估"),
        "evaluation",
        [
            "clusters.evaluationrecord",
            "clusters.dimensionscore",
            "clusters.evaluationtransition",
            "clusters.evaluationscheme",
            "clusters.schemedimension",
        ],
    ),
    (
        _("参考数据"),
        "reference",
        [
            "clusters.field",
            "clusters.indicator",
            "clusters.measurecategory",
            "clusters.measuretopic",
            "clusters.batch",
            "clusters.source",
            "clusters.province",
            "clusters.city",
        ],
    ),
    (
        _("人员"),
        "people",
        [
            "auth.user",
            "auth.group",
            "clusters.staffscope",
            "authtoken.tokenproxy",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
        ],
    ),
]


class PortalAdminSite(admin.AdminSite):
    site_header = _("先进制造业集群管理后台")
    site_title = _("集群门户管理")
    index_title = _("数据维护")
    empty_value_display = "—"

    def each_context(self, request):
        context = super().each_context(request)
        context["site_url"] = reverse("clusters:home")  # “View site” in the admin's language: /en/ in English
        return context

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # an app's own page lists that app, as Django does
            return super().get_app_list(request, app_label)
        models = {
            entry["model"]._meta.label_lower: (app, entry)
            for app in self._build_app_dict(request).values()
            for entry in app["models"]
        }
        groups = []
        for title, slug, labels in GROUPS:
            entries = [models.pop(label)[1] for label in labels if label in models]
            if entries:
                groups.append(self._group(title, slug, entries))
        if models:
            groups.append(self._group(_("其他"), "other", [entry for _app, entry in models.values()]))
        self._add_waiting_counts(request, groups)
        return groups

    @staticmethod
    def _group(title, slug, models):
        # app_url points at the first model's list: a group is not an app and has no page of its own.
        return {
            "name": title,
            "app_label": slug,
            "app_url": models[0].get("admin_url") or "",
            "has_module_perms": True,
            "models": models,
        }

    @staticmethod
    def _add_waiting_counts(request, groups):
        from clusters.selectors import evaluations_waiting

        for group in groups:
            for entry in group["models"]:
                if entry["model"]._meta.label_lower == "clusters.evaluationrecord" and entry.get("admin_url"):
                    waiting = evaluations_waiting(request.user)
                    entry["waiting"] = waiting
                    labels = [_("待审核 %(n)s") % {"n": n} for n in [waiting["review"]] if n]
                    labels += [_("待发布 %(n)s") % {"n": n} for n in [waiting["publish"]] if n]
                    if labels:
                        entry["name"] = f"{entry['name']}（{'，'.join(str(label) for label in labels)}）"


class PortalAdminConfig(AdminConfig):
    default_site = "clusters.admin_site.PortalAdminSite"
