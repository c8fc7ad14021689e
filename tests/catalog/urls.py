"""The catalog's routes at their production paths, without the other apps' URLconfs.

Other apps are built in parallel; their URLconfs must not be able to break the
catalog tests. The paths are the same as in servicedesk/urls.py.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.catalog.urls")),
]
