"""Who hears what, driven by the real ticket services (rules.notify_event runs for every event)."""

from __future__ import annotations

import pytest

from apps.notifications.models import Channel, DeliveryState, Notification, Preference
from apps.tickets import services
from apps.tickets.models import Channel as TicketChannel
from tests.notifications.world import C1, submit


def heard(ticket, *, since: int = 0) -> list[tuple[str, str, str]]:
    """(kind, in-app recipient's username or the email/phone address, channel) after notification ``since``."""
    rows = Notification.objects.filter(ticket=ticket, pk__gt=since).select_related("recipient").order_by("id")
    return sorted((n.kind, n.address if n.channel != Channel.IN_APP else n.recipient.username, n.channel) for n in rows)


def last_id() -> int:
    return Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_resident_submitting_is_not_told_of_it_and_the_grid_worker_is_assigned(world):
    ticket = submit(world)
    assert heard(ticket) == [("assigned", "worker", Channel.IN_APP)]
    row = Notification.objects.get(ticket=ticket)
    assert (row.state, row.event.action, row.recipient) == (DeliveryState.SENT, "submit", world.worker)


def test_a_request_recorded_at_the_window_is_acknowledged_to_the_resident(world):
    ticket = submit(world, channel=TicketChannel.WINDOW, actor=world.clerk)
    assert heard(ticket) == [("assigned", "worker", "in_app"), ("ticket_submitted", "resident", "in_app")]


def test_a_resident_without_an_account_is_told_by_sms_at_the_contact_phone(world):
    ticket = submit(world, resident=None, contact_phone="13811112222")
    assert heard(ticket) == [("assigned", "worker", "in_app"), ("ticket_submitted", "13811112222", "sms")]
    sms = Notification.objects.get(ticket=ticket, channel=Channel.SMS)
    assert (sms.recipient, sms.state, sms.attempts) == (None, DeliveryState.PENDING, 0)
    assert sms.next_attempt_at is not None
    assert ticket.code in sms.subject


def test_the_resident_hears_of_accept_resolve_and_reject(world):
    ticket = submit(world)
    mark = last_id()
    services.ticket_accept(ticket=ticket, actor=world.worker)
    assert heard(ticket, since=mark) == [("ticket_accepted", "resident", "in_app")]
    mark = last_id()
    services.ticket_start(ticket=ticket, actor=world.worker)
    assert heard(ticket, since=mark) == []  # starting work is nobody's news
    services.ticket_resolve(ticket=ticket, actor=world.worker, note="已修复")
    assert heard(ticket, since=mark) == [("ticket_resolved", "resident", "in_app")]

    other = submit(world)
    mark = last_id()
    services.ticket_reject(ticket=other, actor=world.worker, reason="不属于受理范围")
    assert heard(other, since=mark) == [("ticket_rejected", "resident", "in_app")]
    body = Notification.objects.get(ticket=other, kind="ticket_rejected").body
    assert "不属于受理范围" in body


def test_comments_go_to_the_other_side_and_internal_ones_to_nobody(world):
    ticket = submit(world)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    mark = last_id()
    services.ticket_comment(ticket=ticket, actor=world.worker, body="明天上午到场")
    assert heard(ticket, since=mark) == [("comment", "resident", "in_app")]
    mark = last_id()
    services.ticket_comment(ticket=ticket, actor=world.worker, body="内部：需要物业配合", is_internal=True)
    assert heard(ticket, since=mark) == []
    services.ticket_comment(ticket=ticket, actor=world.resident, body="好的，谢谢")
    assert heard(ticket, since=mark) == [("comment", "worker", "in_app")]
    body = Notification.objects.filter(ticket=ticket, kind="comment").order_by("-id").first().body
    assert "好的，谢谢" in body


def test_a_reopened_ticket_goes_back_to_its_handler(world):
    ticket = submit(world)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    services.ticket_resolve(ticket=ticket, actor=world.worker, note="已修复")
    mark = last_id()
    services.ticket_reopen(ticket=ticket, actor=world.resident, note="还是有坑")
    assert heard(ticket, since=mark) == [("reopened", "worker", "in_app")]


def test_a_department_ticket_is_announced_to_the_department_staff(world):
    ticket = submit(world, category=world.water)
    assert heard(ticket) == [("assigned", "water_staff", "in_app")]
    mark = last_id()
    services.ticket_accept(ticket=ticket, actor=world.staff)  # takes it from the queue
    assert heard(ticket, since=mark) == [("ticket_accepted", "resident", "in_app")]


def test_a_ticket_without_a_handler_waits_in_the_community_dispatch_queue(world):
    ticket = submit(world, lat=None, lng=None, community=world.c1)  # no point: the community's queue
    assert ticket.assignee is None
    assert heard(ticket) == [("dispatch_queue", "clerk", "in_app"), ("dispatch_queue", "sup_c", "in_app")]
    assert C1 in ticket.org_path


def test_a_supervision_order_goes_to_the_handler_and_never_to_its_issuer(world):
    from datetime import timedelta

    from django.utils import timezone

    ticket = submit(world)
    mark = last_id()
    services.ticket_supervise(
        ticket=ticket, actor=world.sup_c, note="请今天处理", due_at=timezone.now() + timedelta(hours=3)
    )
    assert heard(ticket, since=mark) == [("supervision", "worker", "in_app")]
    assert "请今天处理" in Notification.objects.get(ticket=ticket, kind="supervision").body


def test_nobody_is_told_of_their_own_action(world):
    # The clerk records a request and is also the dispatcher of the community queue.
    ticket = submit(world, lat=None, lng=None, community=world.c1, channel=TicketChannel.WINDOW, actor=world.clerk)
    assert ("dispatch_queue", "clerk", "in_app") not in heard(ticket)
    assert ("dispatch_queue", "sup_c", "in_app") in heard(ticket)


def test_channels_follow_the_preferences_and_in_app_is_always_on(world):
    Preference.objects.create(user=world.worker, email=True, sms=True)
    Preference.objects.create(user=world.resident, email=True, sms=False)
    ticket = submit(world, channel=TicketChannel.WINDOW, actor=world.clerk)
    assert heard(ticket) == [
        ("assigned", "13900000001", "sms"),  # the worker has no email address: no email row
        ("assigned", "worker", "in_app"),
        ("ticket_submitted", "resident", "in_app"),
        ("ticket_submitted", "resident@example.org", "email"),
    ]
    email = Notification.objects.get(ticket=ticket, channel=Channel.EMAIL)
    assert (email.recipient, email.state) == (world.resident, DeliveryState.PENDING)


def test_an_inactive_person_is_not_notified(world):
    ticket = submit(world)
    world.resident.is_active = False
    world.resident.save(update_fields=["is_active"])
    mark = last_id()
    services.ticket_accept(ticket=ticket, actor=world.worker)
    assert heard(ticket, since=mark) == []


@pytest.mark.parametrize(
    ("level", "who"),
    [(1, "sup_c"), (2, "sup_s"), (3, "sup_d")],
)
def test_an_escalation_reaches_the_supervisors_of_its_level_only(world, level, who):
    from apps.tickets.services.events import record_event

    ticket = submit(world)
    mark = last_id()
    record_event(ticket, action="escalate", actor=None, data={"level": level, "target": "resolution"}, is_public=False)
    assert heard(ticket, since=mark) == [("escalation", who, "in_app")]
