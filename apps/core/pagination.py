from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page numbers; a caller may ask for up to 100 rows a page with ``page_size``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
