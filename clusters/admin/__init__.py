"""Staff admin, one module per family of models (as django.contrib.admin and NetBox split by concern)."""

from . import clusters, divisions, evaluations, facts, roles, sources  # noqa: F401  (registers the ModelAdmins)
