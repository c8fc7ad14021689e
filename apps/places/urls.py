from django.urls import path

from apps.places import apis

urlpatterns = [
    path("org-nodes/", apis.OrgNodeListApi.as_view(), name="places-org-node-list"),
    path("org-nodes/<str:code>/", apis.OrgNodeDetailApi.as_view(), name="places-org-node-detail"),
    path("grids/", apis.GridListApi.as_view(), name="places-grid-list"),
    path("grids/<str:code>/", apis.GridDetailApi.as_view(), name="places-grid-detail"),
    path("locate/", apis.LocateApi.as_view(), name="places-locate"),
]
