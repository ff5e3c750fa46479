"""Evaluation schemes and records, with the review workflow (草稿 → 待审核 → 已审核 → 已发布 / 已退回).

The rules live in clusters.services.evaluations; this module only offers them as buttons, actions,
a per-user queue filter and read-only pages for records that the workflow has locked.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clusters.choices import EvaluationState
from clusters.models import DimensionScore, EvaluationRecord, EvaluationScheme, EvaluationTransition, SchemeDimension
from clusters.models.evaluations import WORKFLOW_FIELDS
from clusters.services import evaluations as service
from clusters.sheets.admin import SheetImportExportMixin

from .base import HistoryAdmin, ReadOnlyAdminMixin
from .scoping import ScopedAdminMixin, ScopedInlineMixin


class SchemeDimensionInline(admin.TabularInline):
    model = SchemeDimension
    fields = ["order", "code", "name", "weight", "max_score"]
    extra = 0

    def _frozen(self, obj):
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(HistoryAdmin):
    list_display = ["name", "version", "year", "excellent_min", "good_min", "pass_min", "frozen", "is_synthetic"]
    list_filter = ["year", "is_synthetic"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["source"]
    inlines = [SchemeDimensionInline]
    actions = ["copy_as_new_version"]

    @admin.display(description=_("已启用"), boolean=True)
    def frozen(self, obj):
        return obj.is_frozen

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_frozen:
            fields += ["code", "excellent_min", "good_min", "pass_min"]
        return fields

    @admin.action(description=_("复制为新版本（已启用的方案不能再改，改动请在新版本中进行）"), permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        for scheme in queryset:
            copy = service.new_scheme_version(scheme)
            self.message_user(
                request,
                gettext("已创建 %(scheme)s（代码 %(code)s）。") % {"scheme": copy, "code": copy.code},
                messages.SUCCESS,
            )


@admin.register(SchemeDimension)
class SchemeDimensionAdmin(HistoryAdmin):
    list_display = ["name", "scheme", "weight", "max_score", "order"]
    list_select_related = ["scheme"]
    search_fields = ["name", "code", "scheme__name"]
    autocomplete_fields = ["scheme"]

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.scheme.is_frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.scheme.is_frozen) and super().has_delete_permission(request, obj)


class DimensionScoreInline(ScopedInlineMixin, admin.TabularInline):
    model = DimensionScore
    fields = ["dimension", "score", "max_score"]
    readonly_fields = ["max_score"]
    extra = 0

    @admin.display(description=_("满分"))
    def max_score(self, obj):
        return obj.dimension.max_score if obj.dimension_id else "—"

    def get_formset(self, request, obj=None, **kwargs):
        self._record = obj
        return super().get_formset(request, obj, **kwargs)

    def get_extra(self, request, obj=None, **kwargs):
        if obj is not None and obj.scheme_id and obj.is_editable:
            return max(0, obj.scheme.dimensions.count() - obj.scores.count())
        return 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        record = getattr(self, "_record", None)
        if db_field.name == "dimension" and record is not None and record.scheme_id:
            kwargs["queryset"] = SchemeDimension.objects.filter(scheme_id=record.scheme_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)


class QueueFilter(admin.SimpleListFilter):
    """待办: what the signed-in user can act on now, by their permissions."""

    title = _("待办")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        user = request.user
        options = []
        if user.has_perm("clusters.review_evaluationrecord"):
            options.append(("review", _("待审核（待我审核）")))
        if user.has_perm("clusters.publish_evaluationrecord"):
            options.append(("publish", _("待发布（已审核）")))
        if user.has_perm("clusters.submit_evaluationrecord"):
            options.append(("mine", _("我的草稿和被退回的记录")))
        return options

    def queryset(self, request, queryset):
        value = self.value()
        if value == "review":
            return queryset.filter(state=EvaluationState.SUBMITTED)
        if value == "publish":
            return queryset.filter(state=EvaluationState.APPROVED)
        if value == "mine":
            return queryset.filter(
                Q(state__in=[EvaluationState.DRAFT, EvaluationState.RETURNED]), created_by=request.user
            )
        return queryset


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False)


@admin.register(EvaluationRecord)
class EvaluationRecordAdmin(ScopedAdminMixin, SheetImportExportMixin, HistoryAdmin):
    change_form_template = "admin/clusters/evaluationrecord/change_form.html"
    list_display = [
        "cluster",
        "period",
        "evaluation_type",
        "scheme",
        "total",
        "grade",
        "conclusion",
        "state_label",
        "revision",
        "is_synthetic",
    ]
    list_filter = [QueueFilter, "state", "evaluation_type", "grade", "conclusion", "period", "scheme", "is_synthetic"]
    list_select_related = ["cluster", "scheme"]
    search_fields = ["cluster__name", "cluster__short_name", "evaluating_body", "narrative"]
    autocomplete_fields = ["cluster", "scheme", "source", "indicator_values"]
    workflow_fields = ["total", *WORKFLOW_FIELDS]  # total: computed from the scores
    display_fields = ["score_table", "transition_log"]
    readonly_fields = workflow_fields + display_fields
    inlines = [DimensionScoreInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "cluster",
                    "scheme",
                    ("period", "evaluation_type"),
                    ("evaluating_body", "evaluated_on"),
                    ("total", "grade", "conclusion", "valid_until"),
                    "narrative",
                    "indicator_values",
                    "source",
                    "is_synthetic",
                ]
            },
        ),
        (_("得分"), {"fields": ["score_table"]}),
        (
            _("审核流程"),
            {
                "fields": [
                    ("state", "revision", "supersedes"),
                    "return_reason",
                    "transition_log",
                    ("created_by", "created_at", "updated_at"),
                    ("published_by", "published_at"),
                ]
            },
        ),
    ]

    @admin.display(description=_("状态"), ordering="state")
    def state_label(self, obj):
        # Colours live in static/css/admin.css: the Content-Security-Policy allows no inline styles.
        return format_html('<strong class="state-label state-{}">{}</strong>', obj.state, obj.get_state_display())

    @admin.display(description=_("维度得分"))
    def score_table(self, obj):
        """Shown to everyone who may view the record (reviewers need not hold score permissions)."""
        if obj.pk is None:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (s.dimension.name, s.dimension.weight, s.score, s.dimension.max_score)
                for s in obj.scores.select_related("dimension").order_by("dimension__order")
            ),
        )
        return format_html(
            '<table class="score-table"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}'
            "<tr><th>{}</th><th></th><th>{}</th><th>100</th></tr></table>",
            gettext("维度"),
            gettext("权重"),
            gettext("得分"),
            gettext("满分"),
            rows,
            gettext("总分"),
            obj.total if obj.total is not None else "—",
        )

    @admin.display(description=_("流转记录"))
    def transition_log(self, obj):
        """Every transition: when, from → to, who, and the note (e.g. the reason for returning)."""
        if obj.pk is None:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    localtime(t.at).strftime("%Y-%m-%d %H:%M"),
                    t.get_from_state_display() or "—",
                    t.get_to_state_display(),
                    t.actor or "—",
                    t.note,
                )
                for t in obj.transitions.select_related("actor")
            ),
        )
        if not rows:
            return gettext("尚无流转")
        return format_html(
            '<table class="transition-log"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
            gettext("时间"),
            gettext("状态"),
            gettext("操作人"),
            gettext("说明"),
            rows,
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.workflow_fields) + self.display_fields
        if obj is not None and obj.scheme_id:
            fields.append("grade")  # follows from the total and the scheme's thresholds
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != EvaluationState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        service.recompute(form.instance)

    # ------------------------------------------------------------------ workflow buttons (change page)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [
            path(
                "<path:object_id>/workflow/<str:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="{}_{}_workflow".format(*info),
            )
        ]
        return urls + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workflow_actions"] = [
                (name, gettext(service.TRANSITIONS[name].label))
                for name in service.allowed_transitions(obj, request.user)
            ]
        self._say_if_separation_is_relaxed(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        self._say_if_separation_is_relaxed(request)
        return super().changelist_view(request, extra_context)

    def _say_if_separation_is_relaxed(self, request):
        if request.method == "GET" and not service.separation_of_duties():
            self.message_user(
                request,
                gettext(
                    "注意：职责分离已关闭（EVALUATION_SEPARATION_OF_DUTIES=0），提交人可以自己审核通过和发布评估记录。"
                ),
                messages.WARNING,
            )

    def workflow_view(self, request, object_id, action):
        """GET: confirm (with a note, required where the step says so); POST: apply through the service."""
        record = self.get_object(request, unquote(object_id))
        if record is None or action not in service.TRANSITIONS:
            raise Http404
        step = service.TRANSITIONS[action]
        if not self.has_view_permission(request, record) or not request.user.has_perm(step.permission):
            raise PermissionDenied
        change_url = reverse("admin:clusters_evaluationrecord_change", args=[record.pk])
        form = TransitionForm(request.POST or None)
        if step.note_required:
            form.fields["note"].required = True
            form.fields["note"].label = gettext("原因")
        if request.method == "POST" and form.is_valid():
            try:
                result = service.transition(action, record, request.user, form.cleaned_data["note"])
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            if result.pk != record.pk:  # a revision: continue on the new draft
                self.message_user(
                    request, gettext("已新建第%(n)s版草稿，原发布版本保留。") % {"n": result.revision}, messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:clusters_evaluationrecord_change", args=[result.pk]))
            self.message_user(
                request,
                gettext("%(record)s：已%(action)s，当前状态“%(state)s”。")
                % {"record": record, "action": gettext(step.label), "state": record.get_state_display()},
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(action)s：%(record)s") % {"action": gettext(step.label), "record": record},
            "opts": self.model._meta,
            "original": record,
            "action_label": gettext(step.label),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/clusters/evaluationrecord/workflow.html", context)

    # ------------------------------------------------------------------ bulk actions (change list)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for step in service.TRANSITIONS.values():
            if step.bulk and request.user.has_perm(step.permission):
                name = f"{step.name}_selected"
                actions[name] = (
                    _bulk_action(step),
                    name,
                    gettext("%(action)s所选记录") % {"action": gettext(step.label)},
                )
        return actions


def _bulk_action(step):
    """A change-list action applying one workflow step to each selected record through the service."""

    def apply(modeladmin, request, queryset):
        done = 0
        for record in queryset:
            try:
                service.transition(step.name, record, request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = "；".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{record}：{text}", messages.WARNING)
        if done:
            modeladmin.message_user(
                request,
                gettext("已%(action)s %(n)s 条记录。") % {"action": gettext(step.label), "n": done},
                messages.SUCCESS,
            )

    apply.__name__ = f"{step.name}_selected"
    return apply


@admin.register(DimensionScore)
class DimensionScoreAdmin(ScopedAdminMixin, HistoryAdmin):
    list_display = ["record", "dimension", "score"]
    list_select_related = ["record__cluster", "dimension"]
    autocomplete_fields = ["record", "dimension"]
    search_fields = ["record__cluster__name", "dimension__name"]

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and not obj.record.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and not obj.record.is_editable) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        service.recompute(obj.record)

    def delete_model(self, request, obj):
        record = obj.record
        super().delete_model(request, obj)
        service.recompute(record)


@admin.register(EvaluationTransition)
class EvaluationTransitionAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail of the review workflow: read-only."""

    list_display = ["record", "from_state", "to_state", "actor", "at", "note"]
    list_filter = ["to_state"]
    list_select_related = ["record__cluster", "actor"]
    search_fields = ["record__cluster__name", "note"]
