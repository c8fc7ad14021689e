"""The GeoReport v2 endpoints: plain Django views, because Open311 has its own error shape.

Each view parses, calls one selector or service, and renders through ``render``;
every refusal is an ``Open311Error`` turned into ``[{"code", "description"}]``.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.open311 import conf, ratelimit, selectors
from apps.open311.keys import api_key_check, api_key_touch
from apps.open311.render import Open311Error, error_response, respond
from apps.open311.representations import (
    Publication,
    request_entry,
    service_definition,
    service_entry,
    service_notice,
)
from apps.open311.services import open311_submit

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed in a way clients may care about.
CHANGESET = "2026-11-28T00:00:00+08:00"
MAX_SPAN = timedelta(days=90)
STATUSES = {"open", "closed"}


def open311_view(*methods: str):
    """Allow ``methods`` (HEAD with GET), check jurisdiction_id, and render refusals the Open311 way."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            try:
                if request.method not in allowed:
                    raise Open311Error(
                        405,
                        _("Method %(method)s is not allowed here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(sorted(methods))},
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return csrf_exempt(wrapper)

    return decorate


def _param(request, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value is not None else request.GET.get(name, "")).strip()


def _check_jurisdiction(request) -> None:
    expected, given = conf.jurisdiction_id(), _param(request, "jurisdiction_id")
    if expected and given and given != expected:
        raise Open311Error(
            404,
            _("jurisdiction_id: “%(given)s” is not served here; use “%(expected)s” or leave it out.")
            % {"given": given, "expected": expected},
        )


@open311_view("GET")
def discovery(request, *, fmt: str):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": conf.contact() or None,
        "key_service": conf.key_service() or None,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, data, root="discovery")


@open311_view("GET")
def service_list(request, *, fmt: str):
    entries = [service_entry(category) for category in selectors.offered_services()]
    return respond(fmt, entries, root="services", item="service")


@open311_view("GET")
def service_detail(request, *, fmt: str, service_code: str):
    category = selectors.service_by_code(service_code)
    if category is None:
        raise Open311Error(
            404,
            _("service_code: no service “%(code)s” is offered; see the service list for the codes.")
            % {"code": service_code},
        )
    return respond(fmt, service_definition(category), root="service_definition")


@open311_view("GET", "POST")
def requests(request, *, fmt: str):
    if request.method == "POST":
        return _post_request(request, fmt)
    return respond(fmt, _matching_requests(request), root="service_requests", item="request")


def _post_request(request, fmt: str):
    ratelimit.hit(scope="ip", ident=ratelimit.client_address(request), rate=conf.rate_per_ip())
    raw_key = _param(request, "api_key")
    if not raw_key:
        raise Open311Error(403, _("api_key: required; ask the administrator of this service desk for a key."))
    api_key = api_key_check(raw_key)
    if api_key is None:
        raise Open311Error(403, _("api_key: not valid or revoked; ask the administrator for a new key."))
    ratelimit.hit(scope="api_key", ident=api_key.prefix, rate=conf.rate_per_key())
    api_key_touch(api_key)
    submitted = open311_submit(api_key=api_key, form=request.POST)
    answer = {
        "service_request_id": submitted.ticket.code,
        "token": submitted.token,
        "service_notice": service_notice(submitted.ticket.category),
    }
    if submitted.account_id:
        answer["account_id"] = submitted.account_id
    return respond(fmt, [answer], root="service_requests", item="request")


def _parse_moment(name: str, raw: str, *, end: bool = False) -> datetime:
    moment = None
    try:
        if len(raw) == 10 and (day := parse_date(raw)) is not None:
            # A bare date covers that whole day, local time.
            moment = datetime.combine(day, time.max if end else time.min)
        else:
            moment = parse_datetime(raw)
    except ValueError:  # well formed but impossible, such as month 13
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s: “%(value)s” is not an ISO 8601 date-time such as 2026-11-01T00:00:00+08:00.")
            % {"name": name, "value": raw},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _date_range(request) -> tuple[datetime, datetime]:
    start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
    start = _parse_moment("start_date", start_raw) if start_raw else None
    end = _parse_moment("end_date", end_raw, end=True) if end_raw else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date: it is before start_date; swap them."))
    if end - start > MAX_SPAN:
        raise Open311Error(
            400, _("start_date/end_date: at most 90 days apart; narrow the range or ask in several calls.")
        )
    return start, end


def _statuses(request) -> set[str]:
    raw = _param(request, "status")
    statuses = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = statuses - STATUSES
    if unknown:
        raise Open311Error(
            400,
            _("status: “%(value)s” is not a status; use open, closed or both.") % {"value": ", ".join(sorted(unknown))},
        )
    return statuses


def _matching_requests(request) -> list[dict]:
    limit = conf.max_requests()
    ids = [part.strip() for part in _param(request, "service_request_id").split(",") if part.strip()]
    if ids:
        # The spec: a list of ids overrides every other argument.
        tickets = selectors.requests_by_ids(list(dict.fromkeys(ids))[:limit], limit=limit)
    else:
        start, end = _date_range(request)
        statuses = _statuses(request)
        codes = [part.strip() for part in _param(request, "service_code").split(",") if part.strip()]
        tickets = selectors.requests_matching(service_codes=codes, start=start, end=end, statuses=statuses, limit=limit)
    publication = Publication.from_settings()
    return [request_entry(ticket, publication) for ticket in tickets]


@open311_view("GET")
def request_detail(request, *, fmt: str, service_request_id: str):
    ticket = selectors.request_by_code(service_request_id)
    if ticket is None:
        raise Open311Error(
            404, _("service_request_id: no request “%(id)s”; check the id.") % {"id": service_request_id}
        )
    return respond(fmt, [request_entry(ticket)], root="service_requests", item="request")


@open311_view("GET")
def token_detail(request, *, fmt: str, token: str):
    code = selectors.ticket_code_for_token(token)
    if code is None:
        raise Open311Error(404, _("token: no request was created with token “%(token)s”.") % {"token": token})
    return respond(fmt, [{"service_request_id": code, "token": token}], root="service_requests", item="request")
