from django.db import models


class Heartbeat(models.Model):
    """Last time a periodic process (Celery beat, the SLA scan) proved it was alive."""

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
