"""Roster import and member export pages."""

from __future__ import annotations

from django.core.files.base import ContentFile

from tests.test_url_matrix import Case, S

IMPORTERS = S("admin", "office_staff", "branch_secretary", "outsider")
EXPORTERS = S("admin", "office_staff", "dangzu_office", "branch_secretary", "outsider")
EXPORT_TOKEN = "0123456789abcdef0123456789abcdef"


def _roster(tree, name):
    """An import uploaded by ``name``'s user: nobody else may open it."""
    from dangjian.people.models import RosterImport

    item, _ = RosterImport.objects.get_or_create(
        uploaded_by=tree.users[name],
        defaults={
            "original_name": "名册.xlsx",
            "status": RosterImport.Status.INVALID,
            "total_rows": 1,
            "processed_rows": 1,
            "error_count": 1,
            "errors": [{"row": 2, "column": "姓名", "message": "必填"}],
        },
    )
    return item.pk


def _export(tree, name):
    """A finished export file for every user: each may fetch only their own."""
    from dangjian.people import exports
    from dangjian.people.models import roster_storage

    storage = roster_storage()
    for user in tree.users.values():
        file_name = exports._name(user.pk, EXPORT_TOKEN, ".xlsx")
        if not storage.exists(file_name):
            storage.save(file_name, ContentFile(b"PK\x03\x04"))
    return EXPORT_TOKEN


RESOLVERS = {"roster": _roster, "export": _export}

CASES = {
    "people:roster_import": Case(IMPORTERS),
    "people:roster_template": Case(IMPORTERS),
    "people:roster_detail": Case(S("branch_secretary"), {"pk": "roster:branch_secretary"}),
    "people:roster_progress": Case(S("branch_secretary"), {"pk": "roster:branch_secretary"}),
    "people:roster_commit": Case(
        S("branch_secretary"), {"pk": "roster:branch_secretary"}, method="post"
    ),
    "people:member_export": Case(EXPORTERS),
    "people:member_export_status": Case(EXPORTERS, {"token": EXPORT_TOKEN}),
    "people:member_export_download": Case(EXPORTERS, {"token": "export:any"}),
}

CASES["people:organization_options"] = Case(
    S("admin", "office_staff", "dangzu_office", "branch_secretary", "member", "outsider"),
    query="?org_q=党支部",
)

CASES["people:member_pick"] = Case(
    S("admin", "office_staff", "dangzu_office", "branch_secretary", "member", "outsider"),
    query="?q=李&field=responsible",
)
