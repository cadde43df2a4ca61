"""The rules of organizational life from the branch work regulations (DOMAIN.md)."""

from django.db import migrations

DEFAULT_RULES = [
    # meeting kind, organization kinds, period, at least, note
    ("branch_assembly", ["branch"], "quarter", 1, "支部党员大会每季度至少召开1次"),
    ("branch_committee", ["branch"], "month", 1, "支部委员会每月至少召开1次"),
    ("group_meeting", ["group"], "month", 1, "党小组会每月至少召开1次"),
    ("party_lecture", ["branch"], "quarter", 1, "党课每季度至少1次"),
    ("themed_party_day", ["branch"], "month", 1, "主题党日每月1次（通行做法）"),
    ("organizational_life", ["branch"], "year", 1, "组织生活会每年至少召开1次"),
    ("democratic_life", ["leading_group"], "year", 1, "领导班子民主生活会每年召开1次"),
]


def add_rules(apps, schema_editor):
    LifeRule = apps.get_model("meetings", "LifeRule")
    for kind, org_kinds, period, count, note in DEFAULT_RULES:
        LifeRule.objects.get_or_create(
            meeting_kind=kind,
            period=period,
            defaults={"organization_kinds": org_kinds, "min_count": count, "note": note},
        )


def remove_rules(apps, schema_editor):
    LifeRule = apps.get_model("meetings", "LifeRule")
    for kind, _org_kinds, period, _count, _note in DEFAULT_RULES:
        LifeRule.objects.filter(meeting_kind=kind, period=period).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
