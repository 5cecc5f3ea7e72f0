from django.db import migrations

AUDIENCES = ["patients", "next_of_kin", "parents", "children_youth", "health_personnel"]
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English"), ("se", "Davvisámegiella")]


def create_vocabularies(apps, schema_editor):
    Audience = apps.get_model("lms_pages", "Audience")
    Language = apps.get_model("lms_pages", "Language")
    for code in AUDIENCES:
        Audience.objects.get_or_create(code=code)
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("lms_pages", "0001_initial")]

    operations = [migrations.RunPython(create_vocabularies, migrations.RunPython.noop)]
