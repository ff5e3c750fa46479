"""Admin integration: "导入" (upload → preview → confirm), "导出" (xlsx/csv/json) and "下载模板" on a change list.

Add ``SheetImportExportMixin`` to a ModelAdmin's bases; it adds the URLs, the buttons (through its
change-list template) and the permission checks. The read-only ``ImportRecordAdmin`` lists every import.
"""

import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.admin.base import ReadOnlyAdminMixin
from clusters.models import ImportRecord

from . import registry
from .reading import max_upload_size
from .results import NEW, PREVIEW_ROWS, STATUS_LABELS, UNCHANGED, UPDATED
from .services import run_import
from .writers import FORMATS, export_response, template_file

SESSION_KEY = "sheet_imports"
UPLOAD_TTL = 24 * 3600


def upload_dir():
    directory = Path(getattr(settings, "IMPORT_TEMP_DIR", Path(tempfile.gettempdir()) / "cluster-portal-imports"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _clean_old_uploads(directory):
    cutoff = time.time() - UPLOAD_TTL
    for item in directory.glob("*.upload"):
        try:
            if item.stat().st_mtime < cutoff:
                item.unlink()
        except OSError:
            pass


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
            path("sheet-import/confirm/", wrap(self.sheet_confirm_view), name="{}_{}_sheet_confirm".format(*info)),
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
            "preview_rows": PREVIEW_ROWS,
            **extra,
        }

    def _preview_context(self, result):
        groups = []
        for status in (NEW, UPDATED, UNCHANGED):
            rows = [o for o in result.outcomes if o.status == status]
            groups.append(
                {"status": status, "label": STATUS_LABELS[status], "count": result.counts[status], "rows": rows}
            )
        return {"result": result, "groups": groups, "has_changes": bool(result.new or result.updated)}

    def sheet_import_view(self, request):
        if not self.has_sheet_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            publisher = form.cleaned_data["publisher"]
            result = run_import(
                self.sheet_kind, data, upload.name, user=request.user, dry_run=True, publisher=publisher, via="admin"
            )
            context.update(self._preview_context(result))
            if result.ok and context["has_changes"]:
                directory = upload_dir()
                _clean_old_uploads(directory)
                token = secrets.token_hex(16)
                (directory / f"{token}.upload").write_bytes(data)
                uploads = request.session.get(SESSION_KEY, {})
                uploads[token] = {"kind": self.sheet_kind, "name": upload.name, "publisher": publisher}
                request.session[SESSION_KEY] = uploads
                context["token"] = token
            form = ImportForm()
            context["form"] = form
        return TemplateResponse(request, self.import_template, self._context(request, **context))

    def sheet_confirm_view(self, request):
        if not self.has_sheet_import_permission(request) or request.method != "POST":
            raise PermissionDenied
        token = request.POST.get("token", "")
        uploads = request.session.get(SESSION_KEY, {})
        entry = uploads.get(token)
        stored = upload_dir() / f"{token}.upload"
        if not token.isalnum() or entry is None or entry["kind"] != self.sheet_kind or not stored.exists():
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return HttpResponseRedirect(request.path.replace("confirm/", ""))
        try:
            result = run_import(
                self.sheet_kind,
                stored.read_bytes(),
                entry["name"],
                user=request.user,
                dry_run=False,
                publisher=entry["publisher"],
                via="admin",
            )
        finally:  # whatever happens, the upload is used once and never left behind
            stored.unlink(missing_ok=True)
            uploads.pop(token, None)
            request.session[SESSION_KEY] = uploads
        if not result.ok:  # the data changed between preview and confirm
            context = {"form": ImportForm(), **self._preview_context(result)}
            return TemplateResponse(request, self.import_template, self._context(request, **context))
        messages.success(
            request, _("已导入“%(name)s”：%(summary)s。") % {"name": entry["name"], "summary": result.summary()}
        )
        return HttpResponseRedirect(self._changelist_url())

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


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The import log: read-only, for everyone who may view it."""

    list_display = [
        "created_at",
        "user",
        "kind",
        "file_name",
        "via",
        "dry_run",
        "committed",
        "new_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    list_filter = ["kind", "via", "dry_run", "committed"]
    search_fields = ["file_name", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
