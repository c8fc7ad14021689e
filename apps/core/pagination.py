"""Pagination that does not count a whole city on every page.

A supervisor's list at the city level matches most of the tickets table; Django's paginator
would run ``COUNT(*)`` over all of them for every page (~190 ms at a million tickets, growing
with the table). Counting stops at ``COUNT_CAP`` rows instead: below it the count is exact,
above it the answer says "more than COUNT_CAP" (``count_is_exact`` false) and pages go as far
as the cap. Nobody pages through 10,000 tickets; they filter.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    count_cap = COUNT_CAP

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1): work bounded by the cap, not the table.
            n = self.object_list[: self.count_cap + 1].count()
            return min(n, self.count_cap), n <= self.count_cap
        return super().count, True

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def count_is_exact(self) -> bool:
        return self._capped[1]


class Pagination(PageNumberPagination):
    """Page numbers; a caller may ask for up to 100 rows a page with ``page_size``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_exact": self.page.paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"Rows matching, counted up to {COUNT_CAP:,}; see count_is_exact."
        )
        answer["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": f"False when more than {COUNT_CAP:,} rows match (count is then {COUNT_CAP:,}).",
        }
        answer["required"] = [*answer.get("required", []), "count_is_exact"]
        return answer
