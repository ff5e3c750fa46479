"""Staff admin, one module per family of models (as django.contrib.admin and NetBox split by concern)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from . import clusters, divisions, evaluations, facts, roles, sources  # noqa: F401  (registers the ModelAdmins)

# The queue's own table is the workers' business: a clerk follows an import on its job page (ImportRecord).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
