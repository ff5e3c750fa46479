"""Admin integration: "导入" (upload → background check → paged preview → confirm → background import), "导出"
(xlsx/csv/json) and "下载模板" on a change list.

Add ``SheetImportExportMixin`` to a ModelAdmin's bases; it adds the URLs, the buttons (through its
change-list template) and the permission checks. An upload answers at once: it becomes a job (``jobs.py``)
and the clerk is sent to the job's page, which ``ImportRecordAdmin`` serves: progress while it runs (the page
refreshes itself: the CSP allows no inline script), then the preview or the errors and the error workbook.
The import log (the ImportRecord change list) is each clerk's list of their own jobs.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.admin.base import ReadOnlyAdminMixin
from clusters.models import ImportRecord

from . import jobs, registry
from .columns import CONTROL_CHARACTERS
from .errorbook import error_file_name
from .reading import max_upload_size
from .results import NEW, STATUS_LABELS, UNCHANGED, UPDATED, ImportResult, RowError
from .writers import FORMATS, export_response, template_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFRESH_SECONDS = 2  # the job page reloads itself this often while the job is queued or running


class ImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # the reader says "文件是空的" in its own words
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("xlsx、xls、ods 或 csv（UTF-8 或 GBK/GB18030），第一行为表头"),
    )
    publisher = forms.CharField(
        label=gettext_lazy("报送单位"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "报送这份表格的单位，例如“深圳市工业和信息化局”。没有填写来源的新增或修改的行引用“报送单位报送数据（日期）”，"
            "库中没有的来源也以它为发布者；留空则为“地方报送”。公众页面显示它，不显示用户名或文件名。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_size()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件大小 %(size).1f MB，超过上限 %(limit).1f MB。请拆分成几个文件分别导入。")
                % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
            )
        return upload


class SheetImportExportMixin:
    """Spreadsheet import, export and template download for a ModelAdmin of one of the four sheet kinds."""

    change_list_template = "admin/clusters/import/change_list.html"
    import_template = "admin/clusters/import/import.html"

    @property
    def sheet_kind(self):
        return registry.for_model(self.model).kind

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        wrap = self.admin_site.admin_view
        urls = [
            path("sheet-import/", wrap(self.sheet_import_view), name="{}_{}_sheet_import".format(*info)),
            path("sheet-export/", wrap(self.sheet_export_view), name="{}_{}_sheet_export".format(*info)),
            path("sheet-template/", wrap(self.sheet_template_view), name="{}_{}_sheet_template".format(*info)),
        ]
        return urls + super().get_urls()

    def has_sheet_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "sheet_import_allowed": self.has_sheet_import_permission(request)}
        extra_context["sheet_export_formats"] = list(FORMATS)
        return super().changelist_view(request, extra_context)

    def _changelist_url(self):
        return reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")

    def _context(self, request, **extra):
        sheet = registry.get(self.sheet_kind)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入%(name)s") % {"name": self.model._meta.verbose_name_plural},
            "kind": self.sheet_kind,
            "columns": sheet.export_columns(),
            "changelist_url": self._changelist_url(),
            "max_size_mb": f"{max_upload_size() / 1024 / 1024:.0f}",
            **extra,
        }

    def sheet_import_view(self, request):
        if not self.has_sheet_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            record = ImportRecord(
                user=request.user,
                kind=self.sheet_kind,
                via="admin",
                dry_run=True,
                file_name=CONTROL_CHARACTERS.sub("\ufffd", upload.name)[:255],
                publisher=form.cleaned_data["publisher"],
                file_data=upload.read(),
                phase=ImportRecord.CHECK,
            )
            jobs.start(record)
            return HttpResponseRedirect(job_url(record))
        return TemplateResponse(request, self.import_template, self._context(request, form=form))

    def sheet_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.GET = request.GET.copy()
        file_format = request.GET.pop("_format", ["xlsx"])[-1]
        if file_format not in FORMATS:
            file_format = "xlsx"
        changelist = self.get_changelist_instance(request)  # the list's filters and search apply
        return export_response(self.sheet_kind, changelist.queryset, file_format)

    def sheet_template_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        content, content_type, name = template_file(self.sheet_kind)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def job_url(record):
    return reverse("admin:clusters_importrecord_job", args=[record.pk])


def may_import(request, kind):
    model_admin = admin.site._registry.get(registry.get(kind).model)
    return model_admin is not None and model_admin.has_sheet_import_permission(request)


def stored_result(record):
    """The ImportResult the job page and its templates show, rebuilt from what the job stored."""
    outcome = record.outcome or {}
    result = ImportResult(kind=record.kind, file_name=record.file_name, dry_run=record.dry_run)
    result.committed = record.committed
    result.sheet = outcome.get("sheet", "")
    result.counts.update(outcome.get("counts", {}))
    result.errors = [RowError(*error) for error in outcome.get("errors", [])]
    result.error_count = outcome.get("error_count", record.error_count)
    result.error_rows = outcome.get("error_rows", 0)
    result.warnings = outcome.get("warnings", [])
    result.created_sources = outcome.get("created_sources", [])
    result.cancelled = outcome.get("cancelled", False)
    result.record = record
    return result


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The import log, and the import jobs' pages. Each clerk sees their own imports; a superuser every one."""

    list_display = [
        "created_at",
        "user",
        "kind",
        "job_link",
        "via",
        "state",
        "phase",
        "committed",
        "new_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    list_filter = ["state", "kind", "via", "committed"]
    search_fields = ["file_name", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    job_template = "admin/clusters/import/job.html"
    exclude = ["outcome", "file_data", "error_file"]

    def get_readonly_fields(self, request, obj=None):
        hidden = {"outcome", "file_data", "error_file"}  # the job page shows these
        return [field.name for field in self.model._meta.fields if field.name not in hidden]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("file_data", "error_file")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        # Whoever may import may follow their own imports, with or without the log's view permission.
        if obj is not None and not (request.user.is_superuser or obj.user_id == request.user.id):
            return False
        return super().has_view_permission(request, obj) or any(may_import(request, kind) for kind in registry.KINDS)

    def changelist_view(self, request, extra_context=None):
        jobs.mark_stale()
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("文件名"), ordering="file_name")
    def job_link(self, record):
        return format_html('<a href="{}">{}</a>', job_url(record), record.file_name or "—")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/job/", wrap(self.job_view), name="clusters_importrecord_job"),
            path("<int:pk>/job/cancel/", wrap(self.job_cancel_view), name="clusters_importrecord_job_cancel"),
            path("<int:pk>/job/confirm/", wrap(self.job_confirm_view), name="clusters_importrecord_job_confirm"),
            path("<int:pk>/job/errors/", wrap(self.job_errors_view), name="clusters_importrecord_job_errors"),
            *super().get_urls(),
        ]

    def _job(self, request, pk):
        """The job, if it is the user's own (or they are a superuser): anyone else gets a 404, not a hint."""
        jobs.mark_stale(ImportRecord.objects.filter(pk=pk))
        return get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)

    def job_view(self, request, pk):
        record = self._job(request, pk)
        result = stored_result(record)
        model = registry.get(record.kind).model
        context = {
            **self.admin_site.each_context(request),
            "opts": model._meta,
            "log_opts": self.model._meta,
            "title": _("导入“%(name)s”") % {"name": record.file_name},
            "record": record,
            "result": result,
            "refresh": REFRESH_SECONDS if record.active else None,
            "elapsed": _elapsed(record),
            "failure": jobs.failure_message(record),
            "import_url": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_sheet_import"),
            "changelist_url": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        }
        if record.state == ImportRecord.DONE:
            context.update(self._done_context(request, record, result))
        return TemplateResponse(request, self.job_template, context)

    def _done_context(self, request, record, result):
        context = {"groups": [{"status": s, "label": STATUS_LABELS[s], "count": result.counts[s]} for s in STATUSES]}
        if record.phase == ImportRecord.CHECK and result.ok:
            if (result.new or result.updated) and may_import(request, record.kind):
                context["confirm_url"] = reverse("admin:clusters_importrecord_job_confirm", args=[record.pk])
            pages = record.preview_pages.all()
            paginator = Paginator(range(pages.count()), 1)  # one stored page is one page of the preview
            page = paginator.get_page(request.GET.get("page"))
            stored = pages.filter(number=page.number).first()
            context.update(
                {
                    "page": page,
                    "preview_rows": stored.rows if stored else [],
                    "headers": record.outcome.get("headers", []),
                    "status_labels": {status: STATUS_LABELS[status] for status in STATUSES},
                }
            )
        if not result.ok and record.error_file is not None:
            context["errors_url"] = reverse("admin:clusters_importrecord_job_errors", args=[record.pk])
        return context

    def job_cancel_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        record = self._job(request, pk)
        try:
            jobs.cancel(record)
        except OperationalError:  # SQLite: the worker holds the write lock while it writes; too late to stop
            messages.warning(request, _("任务正在写入，无法取消。"))
        return HttpResponseRedirect(job_url(record))

    def job_confirm_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        record = self._job(request, pk)
        if not may_import(request, record.kind):
            raise PermissionDenied
        confirmable = (
            record.phase == ImportRecord.CHECK
            and record.state == ImportRecord.DONE
            and not record.error_count
            and (record.new_count or record.updated_count)
        )
        if confirmable and ImportRecord.objects.filter(pk=record.pk, file_data__isnull=False).exists():
            jobs.confirm(ImportRecord.objects.get(pk=record.pk))
        else:  # confirmed already (a second click), or nothing to import
            messages.error(request, _("这份文件已导入或无需导入。如需再次导入，请重新上传。"))
        return HttpResponseRedirect(job_url(record))

    def job_errors_view(self, request, pk):
        record = self._job(request, pk)
        content = ImportRecord.objects.filter(pk=record.pk).values_list("error_file", flat=True).first()
        if content is None:
            raise Http404
        response = HttpResponse(bytes(content), content_type=XLSX)
        response["Content-Disposition"] = _attachment(error_file_name(record.file_name))
        return response


STATUSES = (NEW, UPDATED, UNCHANGED)


def _elapsed(record):
    if record.started_at is None:
        return None
    end = record.finished_at or timezone.now()
    return int((end - record.started_at).total_seconds())


def _attachment(name):
    from urllib.parse import quote

    return f"attachment; filename=\"errors.xlsx\"; filename*=UTF-8''{quote(name)}"
