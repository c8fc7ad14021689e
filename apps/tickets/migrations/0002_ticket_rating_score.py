"""Ticket.rating_score: a copy of Rating.score on the ticket row, for the metrics (see the model)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_scores(apps, schema_editor):
    """Fill rating_score from the existing ratings: one UPDATE, whatever the number of tickets."""
    Ticket = apps.get_model("tickets", "Ticket")
    Rating = apps.get_model("tickets", "Rating")
    score = Rating.objects.filter(ticket_id=OuterRef("pk")).values("score")[:1]
    Ticket.objects.filter(pk__in=Rating.objects.values("ticket_id")).update(rating_score=Subquery(score))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="rating_score",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name="rating"),
        ),
        # Reversing drops the column, so there is nothing to undo for the copy.
        migrations.RunPython(copy_scores, migrations.RunPython.noop, elidable=True),
    ]
