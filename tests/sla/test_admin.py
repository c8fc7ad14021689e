"""The admin pages of the sla app, and the missing-year warning they show."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.sla.calendars import note_missing_years
from apps.sla.models import CalendarWarning

pytestmark = pytest.mark.django_db

MODELS = ["businesscalendar", "calendarday", "calendaryear", "orgcalendar", "slapolicy", "calendarwarning"]


@pytest.fixture
def admin_client_(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password="x-pass-2026", email="r@example.com")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_opens(admin_client_, model):
    assert admin_client_.get(reverse(f"admin:sla_{model}_changelist")).status_code == 200


def test_the_calendar_list_shows_missing_years(admin_client_):
    note_missing_years("default", {2035})
    response = admin_client_.get(reverse("admin:sla_businesscalendar_changelist"))
    assert response.status_code == 200
    assert "⚠ 2035" in response.content.decode()
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(texts) == 1
    assert "default 2035" in texts[0]


def test_no_warning_message_without_warnings(admin_client_):
    response = admin_client_.get(reverse("admin:sla_businesscalendar_changelist"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_a_covered_year_no_longer_warns(admin_client_):
    note_missing_years("default", {2025})  # the default calendar has 2025
    assert CalendarWarning.objects.count() == 1
    response = admin_client_.get(reverse("admin:sla_businesscalendar_changelist"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_the_sync_action(admin_client_):
    from apps.sla.models import BusinessCalendar, CalendarYear

    fresh = BusinessCalendar.objects.create(code="fresh", name="fresh")
    response = admin_client_.post(
        reverse("admin:sla_businesscalendar_changelist"),
        {"action": "sync_from_package", "_selected_action": [fresh.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert CalendarYear.objects.filter(calendar=fresh).count() == 23
