"""The default business calendar (seeded with every year of chinese_calendar) and the default policies."""

from django.db import migrations

from apps.sla.seed import DEFAULT_CALENDAR_CODE, create_defaults


def forwards(apps, schema_editor):
    create_defaults(
        BusinessCalendar=apps.get_model("sla", "BusinessCalendar"),
        CalendarDay=apps.get_model("sla", "CalendarDay"),
        CalendarYear=apps.get_model("sla", "CalendarYear"),
        SlaPolicy=apps.get_model("sla", "SlaPolicy"),
    )
    apps.get_model("sla", "SlaConfigStamp").objects.get_or_create(id=1)


def backwards(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.all().delete()
    apps.get_model("sla", "BusinessCalendar").objects.filter(code=DEFAULT_CALENDAR_CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
