"""Staff members in the roles `setup_roles` creates, with the provinces and clusters they answer for."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clusters.models import Cluster, Province, StaffScope


def role_user(username, group, provinces=(), clusters=()):
    """A staff member in `group` (run `setup_roles` first), responsible for these provinces (codes) and clusters
    (names); with neither, no scope at all. Read back, so no permission is cached."""
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if provinces or clusters:
        scope = StaffScope.objects.create(user=user)
        scope.provinces.set(Province.objects.filter(code__in=provinces))
        scope.clusters.set(Cluster.objects.filter(name__in=clusters))
    return get_user_model().objects.get(pk=user.pk)
