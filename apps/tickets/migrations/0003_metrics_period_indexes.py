"""Covering indexes for the metrics: a period's rates, trend and top categories are read from the
index alone (index-only scans), not from the ticket rows.

ticket_period_cover has the key of ticket_submitted_at and replaces it, so intake still writes the
same number of indexes; ticket_resolved_cover is partial (resolved_at not null), so intake never
writes to it. Built before the old index is dropped. At a million tickets each builds in a few
seconds, holding writes to the ticket table meanwhile.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_categoryattribute_variable_and_more"),
        ("places", "0001_initial"),
        ("tickets", "0002_ticket_rating_score"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["submitted_at"],
                include=(
                    "state",
                    "org_path",
                    "accepted_at",
                    "respond_by",
                    "resolved_at",
                    "resolve_by",
                    "rating_score",
                    "resolved_at_window",
                    "response_minutes",
                    "resolution_minutes",
                    "category",
                    "assignee",
                ),
                name="ticket_period_cover",
            ),
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_submitted_at",
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["resolved_at"],
                include=("state", "org_path"),
                name="ticket_resolved_cover",
            ),
        ),
    ]
