"""Small builders for the rows the sla tests need."""

from apps.catalog.models import ServiceCategory
from apps.places.models import Level, OrgNode
from apps.sla.models import BusinessCalendar, SlaPolicy

SATURDAY_SCHEDULE = {
    **{d: [["09:00", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [["09:00", "12:00"]],
}


def org_node(code: str, *, parent: OrgNode | None = None, level: str = Level.COMMUNITY) -> OrgNode:
    node = OrgNode(code=code, name=f"node {code}", level=level, parent=parent)
    node.path = node.build_path()
    node.save()
    return node


def category(code: str) -> ServiceCategory:
    return ServiceCategory.objects.create(code=code, name=f"category {code}")


def calendar(code: str, **fields) -> BusinessCalendar:
    return BusinessCalendar.objects.create(code=code, name=f"calendar {code}", **fields)


def policy(name: str, **fields) -> SlaPolicy:
    values = {
        "response_minutes": 60,
        "response_mode": "working",
        "resolution_minutes": 14 * 60,
        "resolution_mode": "working",
    }
    values.update(fields)
    return SlaPolicy.objects.create(name=name, **values)
