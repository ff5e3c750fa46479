from rest_framework import permissions


class StaffModelPermissionsOrReadOnly(permissions.DjangoModelPermissions):
    """Anyone may read; writing needs an active staff user holding the model's add/change/delete permission.

    What a reader sees is narrowed by the view's queryset (public clusters, published evaluations),
    not here.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        return super().has_permission(request, view)
