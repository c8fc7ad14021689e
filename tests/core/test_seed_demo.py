"""seed_demo loads the Jinan demo through the import commands, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.catalog.models import CategoryAttribute, ServiceCategory
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places.models import Department, GridVersion, Level, OrgNode, ServiceCenter

pytestmark = pytest.mark.django_db

MODELS = [OrgNode, Department, ServiceCenter, ServiceCategory, CategoryAttribute, User, StaffScope, GridMembership]


def snapshot():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["grid_version"] = GridVersion.objects.get(pk=1).version
    counts["users"] = sorted(User.objects.values_list("username", "role", "full_name", "phone", "password"))
    return counts


def test_seed_demo_loads_jinan_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = snapshot()

    assert OrgNode.objects.get(code="370100").name == "济南市"
    community = OrgNode.objects.get(name="澄波社区", level=Level.COMMUNITY)
    assert community.parent.name == "济北街道" and community.parent.parent.name == "济阳区"
    assert {"历下区", "市中区", "长清区", "济阳区"} <= set(
        OrgNode.objects.filter(level=Level.DISTRICT).values_list("name", flat=True)
    )
    assert OrgNode.objects.filter(level=Level.GRID, boundary__isnull=False).count() == 40
    assert ServiceCategory.objects.filter(parent__isnull=False).count() >= 15

    expected = {
        "admin": Role.ADMIN,
        "supervisor": Role.SUPERVISOR,
        "clerk": Role.CLERK,
        "worker": Role.GRID_WORKER,
        "resident": Role.RESIDENT,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("demo-pass-2026")
    assert User.objects.get(username="admin").is_superuser
    assert StaffScope.objects.get(user__username="supervisor").org_node.name == "济阳区"
    assert StaffScope.objects.get(user__username="clerk").org_node == community
    first_grid = OrgNode.objects.filter(parent=community, level=Level.GRID).order_by("code").first()
    assert GridMembership.objects.filter(user__username="worker", grid=first_grid, is_deputy=False).exists()

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == first
    assert "demo accounts: unchanged" in out.getvalue()
