import uuid

from django.db import migrations, models


def give_each_group_a_key(apps, schema_editor):
    OfferingGroup = apps.get_model("lms_pages", "OfferingGroup")
    for group in OfferingGroup.objects.only("pk").iterator():
        OfferingGroup.objects.filter(pk=group.pk).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    """A key shared by a group and its copies in the offering's translations (made NOT NULL in 0006:
    PostgreSQL cannot alter a table in the transaction that updated its rows)."""

    dependencies = [("lms_pages", "0004_accessibility_statement")]

    operations = [
        migrations.AddField(
            model_name="offeringgroup",
            name="key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_group_a_key, migrations.RunPython.noop),
    ]
