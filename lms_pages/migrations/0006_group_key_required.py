import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lms_pages", "0005_group_key")]

    operations = [
        migrations.AlterField(
            model_name="offeringgroup",
            name="key",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
    ]
