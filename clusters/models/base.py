from django.db import models
from django.utils.translation import gettext_lazy as _


class NaturalKeyQuerySet(models.QuerySet):
    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.NATURAL_KEY, key, strict=True)))


class NaturalKeyManager(models.Manager.from_queryset(NaturalKeyQuerySet)):
    """Lets fixtures name rows by their domain key, so `loaddata` updates instead of duplicating."""


class NaturalKeyModel(models.Model):
    # Lookups that identify a row, e.g. ("cluster__name", "title").
    NATURAL_KEY: tuple[str, ...] = ()

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        values = []
        for path in self.NATURAL_KEY:
            value = self
            for part in path.split("__"):
                value = getattr(value, part) if value is not None else None
            values.append(value)
        return tuple(values)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
