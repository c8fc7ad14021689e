"""Writes for tickets: one function per action, each atomic and writing its TicketEvent."""

from apps.tickets.services.actions import (  # noqa: F401
    ticket_accept,
    ticket_close,
    ticket_comment,
    ticket_merge,
    ticket_rate,
    ticket_reassign,
    ticket_reject,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_return,
    ticket_start,
    ticket_transfer,
    ticket_wait_on_resident,
)
from apps.tickets.services.intake import ticket_submit  # noqa: F401
from apps.tickets.services.sla_actions import ticket_process_due  # noqa: F401
from apps.tickets.services.supervision import ticket_reclassify, ticket_supervise  # noqa: F401
