from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import check_broker, check_database, check_scheduler


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming the one that does not."""
    checks = {"database": check_database(), "broker": check_broker()}
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, **checks}
    body["scheduler"] = check_scheduler() if checks["database"]["ok"] else {"last_beat": None}
    return JsonResponse(body, status=503 if failing else 200)
