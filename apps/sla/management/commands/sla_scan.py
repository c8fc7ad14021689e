from django.core.management.base import BaseCommand

from apps.sla.scan import scan_once


class Command(BaseCommand):
    help = "Run one pass of the SLA scan (reminders, escalations, supervision deadlines, auto-close)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="Tickets claimed per transaction.")

    def handle(self, *args, batch_size=None, **options):
        report = scan_once(batch_size=batch_size)
        self.stdout.write(
            f"processed {report.processed} tickets, {report.steps} steps, "
            f"{len(report.failed)} failed{(' ' + str(report.failed)) if report.failed else ''}"
        )
