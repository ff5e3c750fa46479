from django.contrib.auth.models import Group, Permission
from django.core.management import BaseCommand
from django.db import transaction

from clusters import scoping

# Records an editor keeps up to date for the clusters in their scope.
EDITED_MODELS = [
    "leadenterprise",
    "characteristic",
    "measure",
    "target",
    "indicatorvalue",
    "evaluationrecord",
    "dimensionscore",
]
ALL_ACTIONS = ["add", "change", "delete", "view"]


def codenames(models, actions):
    return [f"{action}_{model}" for model in models for action in actions]


def view_all():
    """Every record of the app, but not who is responsible for what (StaffScope is for user managers)."""
    return list(
        Permission.objects.filter(content_type__app_label="clusters", codename__startswith="view_").exclude(
            codename="view_staffscope"
        )
    )


def role_permissions():
    """Permission codenames (app clusters) each role holds on top of viewing everything in the app."""
    editor = [
        *codenames(EDITED_MODELS, ALL_ACTIONS),
        "change_cluster",
        "add_enterprise",
        "change_enterprise",
        "submit_evaluationrecord",
        "add_importrecord",
    ]
    return {
        scoping.PROVINCE_EDITOR_GROUP: [*editor, "add_cluster"],
        scoping.CLUSTER_EDITOR_GROUP: editor,
        scoping.REVIEWER_GROUP: ["review_evaluationrecord", "publish_evaluationrecord"],
        scoping.READ_ONLY_GROUP: [],
    }


class Command(BaseCommand):
    help = "创建（或更新）五个角色：国家管理员、省级编辑、集群编辑、评审员、只读。可重复执行。"

    def say(self, message):
        if self.verbosity:
            self.stdout.write(message)

    @transaction.atomic
    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        national, _ = Group.objects.get_or_create(name=scoping.NATIONAL_ADMIN_GROUP)
        national.permissions.set(Permission.objects.all())
        self.say(f"{national.name}: {national.permissions.count()} 项权限（全部）")
        for name, extra in role_permissions().items():
            group, _ = Group.objects.get_or_create(name=name)
            wanted = Permission.objects.filter(content_type__app_label="clusters", codename__in=extra)
            missing = set(extra) - set(wanted.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
            group.permissions.set([*view_all(), *wanted])
            self.say(f"{name}: {group.permissions.count()} 项权限")
        self.say("在管理后台“人员职责范围”中为省级编辑、集群编辑和评审员指定省份或集群。")
