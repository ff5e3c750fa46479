from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The platform (settings, caching, client address, checks); nothing domain-specific."""

    name = "portal"
    verbose_name = "门户平台"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
