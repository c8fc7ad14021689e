"""The whole path in a real browser (Playwright + Debian's Chromium) against the live server.

A resident submits a request with a photo and gets a tracking code; the grid worker of that
grid, on a 360 px wide screen, accepts and resolves it with a photo; the resident rates it 5;
the supervisor's dashboard shows it in the rates and the XLSX export opens with openpyxl.
Every page is checked for console errors and photographed at desktop and phone width
under var/screenshots/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from apps.places import locator
from apps.tickets.models import State, Ticket
from tests.portal.conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
PASSWORD = "demo-pass-2026"
GRID = "370115001001001"  # the demo worker's grid
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still
    # synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", stdout=io.StringIO())
    locator.invalidate_index()
    yield
    locator.invalidate_index()
    # The live server's request threads keep persistent connections (CONN_MAX_AGE) to the test
    # database; end them so that pytest-django can drop it. Only sessions on this test database.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


class Session:
    """One person's browser context, collecting console errors and taking screenshots."""

    def __init__(self, browser, base_url: str, who: str, viewport: dict):
        self.who = who
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.viewport = viewport
        self.errors: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{self.page.url}: {msg.text}"))
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))

    def go(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        return response

    def wait_for(self, selector: str) -> None:
        """Wait for ``selector``; if it never comes, fail with what the page says instead."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_selector(selector)
        except PlaywrightTimeout:
            errors = self.page.locator(".error, .alert-error").all_inner_texts()
            pytest.fail(f"{self.who}: {selector} not on {self.page.url}; page errors: {errors}")

    def shoot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(self.viewport)

    def login(self, username: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form.stack button[type=submit]")
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def close(self) -> None:
        self.context.close()


def test_resident_worker_supervisor_path(demo, live_server, browser, tmp_path):
    photo = tmp_path / "pothole.jpg"
    photo.write_bytes(jpeg_bytes())
    fixed = tmp_path / "fixed.jpg"
    fixed.write_bytes(jpeg_bytes(colour=(30, 160, 60)))
    sessions: list[Session] = []

    # --- the resident: home, catalog, guide, then the request with a photo and a point on the map ---
    resident = Session(browser, live_server.url, "resident", DESKTOP)
    sessions.append(resident)
    resident.go("/")
    resident.shoot("home")
    resident.go("/services/")
    resident.shoot("catalog")
    resident.go("/services/MUNI-STREETLIGHT/")
    resident.shoot("guide")
    resident.go("/track/")
    resident.shoot("track-empty")
    resident.login("resident")
    resident.go("/submit/")
    page = resident.page
    page.select_option("select[name=category]", "MUNI-STREETLIGHT")
    # htmx loads the category's own questions.
    resident.wait_for("select[name=attr_fault_type]")
    page.select_option("select[name=attr_fault_type]", "not_lit")
    page.fill("textarea[name=description]", "小区东门外路灯连续三晚不亮 <script>alert(1)</script>")
    page.set_input_files("input[name=photos]", str(photo))
    page.fill("input[name=address]", "澄波社区东门")
    page.select_option("#map-area", label="澄波社区")
    assert page.input_value("select[name=community]") == GRID[:12]  # zooming chose the community too
    page.click(f'svg.grid-map path[data-code="{GRID}"]')
    assert page.input_value("input[name=lat]") != ""
    resident.shoot("submit-filled")
    page.click("main form button[type=submit]")
    resident.wait_for("[data-tracking-code]")
    code = page.inner_text("[data-tracking-code]").strip()
    resident.shoot("submitted")
    ticket = Ticket.objects.get(code=code)
    assert ticket.grid.code == GRID
    assert ticket.assignee.username == "worker"
    assert ticket.attachments.count() == 1
    assert ticket.attributes == {"fault_type": "not_lit"}

    resident.go(f"/track/?code={code}&phone_last4=8888")
    assert code in page.inner_text("main")
    resident.shoot("track-found")
    resident.go("/my/")
    resident.shoot("my-requests")

    # --- the grid worker, on a 360 px phone ---
    worker = Session(browser, live_server.url, "worker", PHONE)
    sessions.append(worker)
    worker.login("worker")
    worker.go("/queue/")
    wp = worker.page
    assert wp.locator(".queue-item", has_text=code).count() == 1
    assert wp.evaluate("document.documentElement.scrollWidth") <= 360, "the queue scrolls sideways at 360 px"
    worker.shoot("queue")
    wp.locator(".queue-item", has_text=code).locator("a.queue-link").click()
    worker.wait_for("#action-accept")
    worker.shoot("ticket-worker-submitted")
    wp.click("#action-accept button[type=submit]")
    worker.wait_for("#action-resolve")
    wp.fill("#action-resolve textarea[name=note]", "已更换灯泡，恢复照明")
    wp.set_input_files("#action-resolve input[name=photos]", str(fixed))
    worker.shoot("ticket-worker-accepted")
    wp.click("#action-resolve button[type=submit]")
    wp.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.attachments.count() == 2
    worker.go("/patrol/")
    worker.shoot("patrol")
    worker.go("/inbox/")
    worker.shoot("inbox")

    # --- the resident rates it 5 ---
    resident.go(f"/tickets/{ticket.pk}/")
    resident.shoot("ticket-resident-resolved")
    page.check("#action-rate input[name=score][value='5']")
    page.fill("#action-rate textarea[name=comment]", "很快，谢谢！")
    page.click("#action-rate button[type=submit]")
    page.wait_for_load_state()
    assert Ticket.objects.get(pk=ticket.pk).rating.score == 5
    resident.shoot("ticket-resident-rated")

    # --- the clerk's desk and receipt ---
    clerk = Session(browser, live_server.url, "clerk", DESKTOP)
    sessions.append(clerk)
    clerk.login("clerk")
    clerk.go("/desk/")
    cp = clerk.page
    assert cp.evaluate("document.activeElement.name") == "contact_phone"
    cp.keyboard.type("13905318888")
    clerk.wait_for("#history a")  # htmx found the resident's earlier request
    cp.fill("input[name=contact_name]", "赵居民")
    cp.select_option("select[name=category]", "MUNI-STREETLIGHT")
    clerk.wait_for("select[name=attr_fault_type]")
    cp.select_option("select[name=attr_fault_type]", "flickering")
    cp.fill("textarea[name=description]", "来电反映路灯闪烁")
    cp.fill("input[name=address]", "澄波社区3号楼")
    clerk.shoot("desk")
    cp.click("form.desk-form button[type=submit]")
    clerk.wait_for(".receipt .tracking-code")
    clerk.shoot("receipt")

    # --- the supervisor's dashboard shows it; the XLSX export opens ---
    supervisor = Session(browser, live_server.url, "supervisor", DESKTOP)
    sessions.append(supervisor)
    supervisor.login("supervisor")
    supervisor.go("/dashboard/")
    sp = supervisor.page
    assert sp.inner_text("[data-kpi=tickets]").strip() == "2"
    assert sp.inner_text("[data-kpi=satisfaction_rate]").strip() == "100.0%"
    assert sp.inner_text("[data-kpi=resolution_rate]").strip() == "50.0%"
    supervisor.shoot("dashboard")
    with sp.expect_download() as info:
        sp.click("a[data-export=children]")
    target = tmp_path / "children.xlsx"
    info.value.save_as(str(target))
    sheet = load_workbook(target).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[-1][2] == 2  # the total line: two tickets in the supervisor's district
    # Drill down one level by clicking the first row.
    sp.locator("table.table tbody tr.clickable").first.click()
    sp.wait_for_load_state()
    assert "org=" in sp.url
    supervisor.shoot("dashboard-drilldown")
    supervisor.go(f"/tickets/{ticket.pk}/")
    supervisor.shoot("ticket-supervisor")
    supervisor.go("/tickets/")
    supervisor.shoot("ticket-list")
    # The language switch in the header (submits on change) turns the pages to English.
    sp.select_option("#lang-select", "en")
    sp.wait_for_load_state()
    supervisor.wait_for('html[lang="en"]')
    supervisor.go("/dashboard/")
    assert "Satisfaction rate" in sp.inner_text("main")
    supervisor.shoot("dashboard-en")
    supervisor.go(f"/tickets/{ticket.pk}/")
    supervisor.shoot("ticket-supervisor-en")

    for session in sessions:
        session.close()
    errors = [e for s in sessions for e in s.errors]
    assert errors == []
