"""The access log as NEN 7513 asks: on whose behalf, from where, allowed or
refused, for sign-ins and refused accesses too; append-only and hash-chained.

The lines written before are chained in the order they were written; on
PostgreSQL a trigger refuses any UPDATE or DELETE of a line from now on.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION programs_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programs_accesslog_append_only
    BEFORE UPDATE OR DELETE ON programs_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION programs_accesslog_append_only();
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS programs_accesslog_append_only ON programs_accesslogentry;
DROP FUNCTION IF EXISTS programs_accesslog_append_only();
"""


def chain_the_lines_written_before(apps, schema_editor):
    from programs.models import access_log_entry_hash

    entry_model = apps.get_model("programs", "AccessLogEntry")
    practice_model = apps.get_model("programs", "Practice")
    practice_names = dict(practice_model.objects.values_list("pk", "name"))
    previous = GENESIS
    for entry in entry_model.objects.order_by("pk"):
        # Every line so far was a therapist's, acting for the patient's practice.
        entry.on_behalf_of = practice_names.get(entry.practice_id, "")
        entry.previous_hash = previous
        entry.entry_hash = access_log_entry_hash(entry)
        entry.save(update_fields=["on_behalf_of", "previous_hash", "entry_hash"])
        previous = entry.entry_hash


def drop_lines_the_old_log_cannot_hold(apps, schema_editor):
    """Backwards only (a developer's step, never production's): the old log knew
    only therapists' actions on a patient, so other lines cannot go back."""
    entry_model = apps.get_model("programs", "AccessLogEntry")
    old_actions = ["view", "create", "change", "publish", "copy", "archive"]
    entry_model.objects.exclude(action__in=old_actions).delete()
    entry_model.objects.filter(
        models.Q(practice__isnull=True)
        | models.Q(user__isnull=True)
        | models.Q(patient__isnull=True)
    ).delete()


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0006_tick_source_and_kept_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="practice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.practice",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="access_log",
                to="programs.patient",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("list", "Listed or searched"),
                    ("create", "Created"),
                    ("change", "Changed"),
                    ("publish", "Published"),
                    ("copy", "Copied"),
                    ("archive", "Archived"),
                    ("export", "Exported"),
                    ("erase", "Erased"),
                    ("retention", "Removed after the retention period"),
                    ("log_read", "Read the access log"),
                    ("link_open", "Plan opened with the link"),
                    ("sign_in", "Signed in"),
                    ("sign_in_failed", "Sign-in failed"),
                    ("sign_out", "Signed out"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_lines_the_old_log_cannot_hold),
        migrations.AddField(
            model_name="accesslogentry",
            name="on_behalf_of",
            field=models.CharField(blank=True, default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="outcome",
            field=models.CharField(
                choices=[("allowed", "allowed"), ("refused", "refused")],
                default="allowed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="source_address",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(chain_the_lines_written_before, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                fields=["practice", "patient", "at"], name="programs_ac_practic_767c1a_idx"
            ),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
