"""The admin issues a key (shown once in a message), lists keys without them, and revokes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.open311.keys import api_key_check, api_key_issue
from apps.open311.models import ApiKey
from apps.people.models import Role, User


@pytest.fixture
def admin_client(db) -> Client:
    user = User.objects.create_superuser(username="root", password="x", role=Role.ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_adding_a_key_shows_it_once(admin_client):
    response = admin_client.post(
        "/admin/open311/apikey/add/", {"application": "FixMyStreet", "contact_email": "dev@example.org"}, follow=True
    )
    assert response.status_code == 200
    [message] = [m.message for m in response.context["messages"] if "copy it now" in m.message]
    raw_key = re.search(r" is (\S+) — copy it now", message).group(1)
    api_key = ApiKey.objects.get()
    assert api_key_check(raw_key) == api_key
    assert api_key.application == "FixMyStreet"

    listing = admin_client.get("/admin/open311/apikey/").content.decode()
    assert api_key.prefix in listing
    assert raw_key not in listing
    change = admin_client.get(f"/admin/open311/apikey/{api_key.pk}/change/").content.decode()
    assert raw_key not in change and api_key.key_hash not in change


def test_revoke_action(admin_client):
    api_key, raw_key = api_key_issue(application="FixMyStreet")
    response = admin_client.post(
        "/admin/open311/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 key revoked." in response.content.decode()
    assert api_key_check(raw_key) is None


def test_keys_cannot_be_deleted(admin_client):
    api_key, _raw = api_key_issue(application="FixMyStreet")
    assert admin_client.get(f"/admin/open311/apikey/{api_key.pk}/delete/").status_code == 403
    assert ApiKey.objects.count() == 1


def test_submitted_requests_are_read_only(admin_client):
    assert admin_client.get("/admin/open311/submittedrequest/").status_code == 200
    assert admin_client.get("/admin/open311/submittedrequest/add/").status_code == 403
