"""The text of each kind of notification, in every language (rendered when the row is written)."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "ticket_submitted": (
        _("Request received: %(code)s"),
        _("We have received your request “%(title)s”. Tracking code: %(code)s. Promised time: by %(resolve_by)s."),
    ),
    "ticket_accepted": (
        _("Request %(code)s accepted"),
        _("Your request “%(title)s” has been accepted and is being handled by %(assignee)s."),
    ),
    "ticket_rejected": (
        _("Request %(code)s not accepted"),
        _("Your request “%(title)s” was not accepted: %(note)s"),
    ),
    "ticket_resolved": (
        _("Request %(code)s resolved"),
        _("Your request “%(title)s” has been resolved: %(note)s Please confirm the result or tell us what is wrong."),
    ),
    "comment": (
        _("New message on %(code)s"),
        _("%(actor)s wrote on “%(title)s”: %(note)s"),
    ),
    "assigned": (
        _("New ticket %(code)s"),
        _("“%(title)s” (%(category)s) at %(place)s is yours. Respond by %(respond_by)s, resolve by %(resolve_by)s."),
    ),
    "dispatch_queue": (
        _("Ticket %(code)s needs a handler"),
        _("“%(title)s” (%(category)s) at %(place)s is waiting in the dispatch queue: %(note)s"),
    ),
    "reopened": (
        _("Ticket %(code)s reopened"),
        _("The resident disputes the result of “%(title)s”: %(note)s"),
    ),
    "reminder": (
        _("Reminder: %(code)s is due soon"),
        _("The %(target)s time limit of “%(title)s” ends at %(due)s."),
    ),
    "escalation": (
        _("Overdue: %(code)s"),
        _("“%(title)s” at %(place)s has passed its %(target)s time limit (%(due)s); assignee: %(assignee)s."),
    ),
    "supervision": (
        _("Supervision order on %(code)s"),
        _("%(actor)s issued a supervision order on “%(title)s”: %(note)s Due: %(due)s."),
    ),
    "supervision_overdue": (
        _("Supervision order on %(code)s is overdue"),
        _("The supervision order on “%(title)s” was due at %(due)s and the ticket is still open."),
    ),
}
