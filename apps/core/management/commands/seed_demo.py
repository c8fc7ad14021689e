"""Load the Jinan demo: org tree and grids, departments, service centers, the holiday calendar,
the service catalog, staff and the demo logins. Idempotent: a second run changes nothing.

The org tree, catalog and staff go through the same import commands a city uses
(demo/jinan-grids.geojson, demo/catalog.json, demo/staff.csv), so the demo
exercises the import path.
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.people.models import Role, User
from apps.places.models import Department, Level, OrgNode, ServiceCenter

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — documented demo password; demo accounts exist only after seed_demo
PASSWORD_ENV = "SERVICEDESK_DEMO_PASSWORD"  # noqa: S105 — the name of a variable, not a password

DEPARTMENTS = [
    ("DEPT-WATER", "济南水务集团（供水）", "96111"),
    ("DEPT-HEAT", "济南能源集团（供暖）", "96667"),
    ("DEPT-PROPERTY", "物业管理服务中心", "12345"),
    ("DEPT-CHENGGUAN", "城市管理综合执法（城管）", "12319"),
]


class Command(BaseCommand):
    help = "Load the Jinan demo data (idempotent)."

    def handle(self, *args, **options):
        self.step("org tree and grids", "import_grids", str(DEMO_DIR / "jinan-grids.geojson"), "--no-progress")
        with transaction.atomic():
            self.departments_and_centers()
        self.step("holiday calendar", "sync_holidays")
        self.step("service catalog", "import_catalog", str(DEMO_DIR / "catalog.json"))
        os.environ[PASSWORD_ENV] = DEMO_PASSWORD
        try:
            self.step("staff", "import_staff", str(DEMO_DIR / "staff.csv"), "--password-from-env", PASSWORD_ENV)
        finally:
            os.environ.pop(PASSWORD_ENV, None)
        with transaction.atomic():
            self.accounts()
        self.stdout.write(self.style.SUCCESS("demo data ready; logins: admin, supervisor, clerk, worker, resident"))

    def step(self, title, command, *args):
        out = StringIO()
        call_command(command, *args, stdout=out, stderr=out)
        last = [line for line in out.getvalue().splitlines() if line.strip()][-1:] or ["done"]
        self.stdout.write(f"{title}: {last[0]}")

    def departments_and_centers(self):
        city = OrgNode.objects.get(code=settings.CITY_CODE)
        created = 0
        for code, name, phone in DEPARTMENTS:
            _, made = Department.objects.get_or_create(
                code=code, defaults={"name": name, "org_node": city, "phone": phone}
            )
            created += made
        for community in OrgNode.objects.filter(level=Level.COMMUNITY):
            _, made = ServiceCenter.objects.get_or_create(
                community=community,
                defaults={
                    "name": f"{community.name}党群服务中心",
                    "address": f"{community.name}居委会一楼",
                    "opening_hours": "周一至周五 9:00-12:00, 13:30-17:30",
                },
            )
            created += made
        self.stdout.write(f"departments and service centers: {created} created")

    def accounts(self):
        created = []
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                username="admin", password=DEMO_PASSWORD, full_name="系统管理员", role=Role.ADMIN, email=""
            )
            created.append("admin")
        if not User.objects.filter(username="resident").exists():
            User.objects.create_user(
                username="resident", password=DEMO_PASSWORD, full_name="赵居民", phone="13905318888", role=Role.RESIDENT
            )
            created.append("resident")
        self.stdout.write(f"demo accounts: {', '.join(created) or 'unchanged'}")
