from datetime import date

import pytest
from django.test import Client

from apps.people.models import GridMembership, Leave, Role
from tests.people.conftest import make_user


@pytest.fixture
def admin_client(tree):
    root = make_user("root", Role.ADMIN, is_superuser=True, is_staff=True)
    worker = make_user("worker", Role.GRID_WORKER, scopes=[tree.east_g1], phone="13812341234", full_name="张伟")
    GridMembership.objects.create(grid=tree.east_g1, user=worker, position=1)
    Leave.objects.create(user=worker, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2))
    client = Client()
    client.force_login(root)
    return client


def test_user_list_masks_phones_and_searches_by_phone(admin_client):
    response = admin_client.get("/admin/people/user/", {"q": "13812341234"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "138****1234" in body
    assert "13812341234</td>" not in body
    assert "张伟" in body


@pytest.mark.parametrize(
    "query", [{"role__exact": "grid_worker"}, {"duty_status__exact": "off"}, {"is_active__exact": "1"}]
)
def test_user_list_filters(admin_client, query):
    assert admin_client.get("/admin/people/user/", query).status_code == 200


def test_user_change_page_has_the_inlines(admin_client):
    from apps.people.models import User

    worker = User.objects.get(username="worker")
    response = admin_client.get(f"/admin/people/user/{worker.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    for prefix in ("scopes-TOTAL_FORMS", "grid_memberships-TOTAL_FORMS", "leaves-TOTAL_FORMS"):
        assert prefix in body
    assert admin_client.get("/admin/people/user/add/").status_code == 200


@pytest.mark.parametrize("model", ["staffscope", "gridmembership", "leave"])
def test_other_lists_load_and_search(admin_client, model):
    response = admin_client.get(f"/admin/people/{model}/", {"q": "worker"})
    assert response.status_code == 200
    assert "worker" in response.content.decode() or "张伟" in response.content.decode()
