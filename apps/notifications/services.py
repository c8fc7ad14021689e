"""Writing notifications (in the caller's transaction) and delivering them (in Celery tasks)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.core.enqueue import enqueue_on_commit
from apps.notifications.messages import MESSAGES
from apps.notifications.models import Channel, DeliveryState, Notification, Preference
from apps.notifications.sms import get_backend

logger = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Recipient:
    user: object | None = None
    phone: str = ""  # for a resident without an account: SMS only


def _format(value, language):
    if hasattr(value, "tzinfo") and value is not None:
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return "" if value is None else str(value)


def render(kind: str, context: dict, language: str) -> tuple[str, str]:
    subject, body = MESSAGES[kind]
    with translation.override(language):
        values = {k: _format(v, language) for k, v in context.items()}
        return str(subject) % values, str(body) % values


def notify(*, kind: str, recipients: list[Recipient], context: dict, ticket=None, event=None) -> list[Notification]:
    """Write one row per recipient and channel; enqueue delivery of email/SMS after commit.

    In-app rows are delivered the moment they are written (the inbox reads them).
    """
    now = timezone.now()
    users = {r.user.pk: r.user for r in recipients if r.user is not None}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=users)} if users else {}
    rows: list[Notification] = []
    seen = set()
    for recipient in recipients:
        if recipient.user is not None:
            if recipient.user.pk in seen or not recipient.user.is_active:
                continue
            seen.add(recipient.user.pk)
            pref = prefs.get(recipient.user.pk)
            language = pref.language if pref else DEFAULT_LANGUAGE
            subject, body = render(kind, context, language)
            common = {
                "recipient": recipient.user,
                "kind": kind,
                "ticket": ticket,
                "event": event,
                "subject": subject[:200],
                "body": body,
                "created_at": now,
            }
            rows.append(Notification(channel=Channel.IN_APP, state=DeliveryState.SENT, sent_at=now, **common))
            if pref and pref.email and recipient.user.email:
                rows.append(
                    Notification(channel=Channel.EMAIL, address=recipient.user.email, next_attempt_at=now, **common)
                )
            if pref and pref.sms and recipient.user.phone:
                rows.append(
                    Notification(channel=Channel.SMS, address=recipient.user.phone, next_attempt_at=now, **common)
                )
        elif recipient.phone and recipient.phone not in seen:
            seen.add(recipient.phone)
            subject, body = render(kind, context, DEFAULT_LANGUAGE)
            rows.append(
                Notification(
                    channel=Channel.SMS,
                    address=recipient.phone,
                    kind=kind,
                    ticket=ticket,
                    event=event,
                    subject=subject[:200],
                    body=body,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    created = Notification.objects.bulk_create(rows)
    from apps.notifications.tasks import deliver_notification

    for row in created:
        if row.state == DeliveryState.PENDING:
            enqueue_on_commit(deliver_notification, row.pk)
    return created


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver(notification_id: int, *, token: str = "") -> str:
    """Send one pending notification. Claimed with a conditional UPDATE, so a task delivered
    twice, or run by two workers at once, sends it once. ``token`` (the Celery task id) lets
    the redelivery of a task whose worker died take back its own claim."""
    now = timezone.now()
    claimable = Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
    if token:
        claimable |= Q(state=DeliveryState.SENDING, claim_token=token)
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        state=DeliveryState.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    row = Notification.objects.get(pk=notification_id)
    try:
        if row.channel == Channel.EMAIL:
            send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.address], fail_silently=False)
        elif row.channel == Channel.SMS:
            get_backend().send(row.address, f"{row.subject}: {row.body}", key=f"notification-{row.pk}")
    except Exception as exc:
        failed = row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk, state=DeliveryState.SENDING).update(
            state=DeliveryState.FAILED if failed else DeliveryState.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
            next_attempt_at=None if failed else timezone.now() + backoff(row.attempts),
        )
        logger.warning("notification %s (%s) failed, attempt %s: %s", row.pk, row.channel, row.attempts, exc)
        return "failed" if failed else "retry"
    Notification.objects.filter(pk=row.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


STUCK_AFTER = timedelta(minutes=10)


def sweep(*, limit: int = 500) -> dict:
    """Re-enqueue what is due and was never (or not successfully) handed to a worker.

    Rows left in ``sending`` by a worker that died are given back after STUCK_AFTER.
    """
    from apps.core.enqueue import send_now
    from apps.notifications.tasks import deliver_notification

    now = timezone.now()
    reclaimed = Notification.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        state=DeliveryState.PENDING, next_attempt_at=now
    )
    due = list(
        Notification.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if send_now(deliver_notification, pk))
    return {"due": len(due), "enqueued": sent, "reclaimed": reclaimed}


@transaction.atomic
def mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
