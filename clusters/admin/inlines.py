"""Inlines whose rows render without a query each, however many rows a cluster has."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from .scoping import ScopedInlineMixin


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """Autocomplete that labels the chosen option from objects loaded once for the whole formset.

    Django's widget runs one query per rendered row to label the current value.
    """

    def __init__(self, field, admin_site, preloaded, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.preloaded = preloaded

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected <= self.preloaded.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            obj = self.preloaded[key]
            label = self.choices.field.label_from_instance(obj)
            options.append(self.create_option(name, obj.pk, label, selected, len(options)))
        return [(None, options, 0)]


class BoundedInline(ScopedInlineMixin, admin.TabularInline):
    """Foreign keys either autocomplete from preloaded objects or choose from choices read once.

    Rows hang off a cluster, so they are written through the role scope like their parent.
    """

    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        related = [name for name in self.fk_names() if name != self.fk_name]
        return super().get_queryset(request).select_related(self.fk_name or "cluster", *related)

    def fk_names(self):
        return [
            f.name
            for f in self.model._meta.concrete_fields
            if f.many_to_one and (not self.fields or f.name in self.fields)
        ]

    def get_formset(self, request, obj=None, **kwargs):
        request._preloaded = self._preload(request, obj)
        return super().get_formset(request, obj, **kwargs)

    def _preload(self, request, parent):
        preloaded = {}
        rows = self.get_queryset(request).filter(**{self.fk_name or "cluster": parent}) if parent else []
        for row in rows:
            for name in self.autocomplete_fields:
                related = getattr(row, name)
                if related is not None:
                    preloaded.setdefault(name, {})[str(related.pk)] = related
        return preloaded

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields and "widget" not in kwargs:
            preloaded = getattr(request, "_preloaded", {}).get(db_field.name, {})
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, preloaded, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name not in self.autocomplete_fields:
            field.choices = list(field.choices)  # read the choices once per formset, not once per row
        return field


class BoundedStackedInline(BoundedInline):
    template = admin.StackedInline.template
