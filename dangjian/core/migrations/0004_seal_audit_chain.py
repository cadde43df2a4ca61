"""Seal the audit records written before the chain existed, in time order, and (on
PostgreSQL) refuse UPDATE and DELETE of audit rows at the database.

The trigger lets through what the application legitimately does: setting the
user to NULL when an account is deleted (the MAC covers the user's name, not
the id), and deleting rows inside ``audit.archive_before`` (which sets
``dangjian.audit_archive`` for its own transaction). TRUNCATE (test database
flushes) is not a row event and is not refused.
"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION dangjian_audit_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('dangjian.audit_archive', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit records cannot be deleted; they are archived';
    END IF;
    IF (to_jsonb(NEW) - 'actor_id') IS DISTINCT FROM (to_jsonb(OLD) - 'actor_id') THEN
        RAISE EXCEPTION 'audit records cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_immutable ON core_auditevent;
CREATE TRIGGER core_auditevent_immutable BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION dangjian_audit_immutable();
DROP TRIGGER IF EXISTS core_auditarchiveevent_immutable ON core_auditarchiveevent;
CREATE TRIGGER core_auditarchiveevent_immutable BEFORE UPDATE OR DELETE ON core_auditarchiveevent
    FOR EACH ROW EXECUTE FUNCTION dangjian_audit_immutable();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_immutable ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditarchiveevent_immutable ON core_auditarchiveevent;
DROP FUNCTION IF EXISTS dangjian_audit_immutable();
"""


def seal_existing(apps, schema_editor):
    from dangjian.core.audit import event_mac

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    seq, mac = 0, ""
    rows = AuditEvent.objects.filter(seq__isnull=True).order_by("occurred_at", "id")
    for event in rows.iterator(chunk_size=2000):
        seq += 1
        event.seq = seq
        event.mac = mac = event_mac(event, mac)
        AuditEvent.objects.filter(pk=event.pk).update(seq=seq, mac=mac)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "mac": mac})


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain")]

    operations = [
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(install_trigger, remove_trigger),
    ]
