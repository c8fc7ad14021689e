from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.tickets.apis import AttachmentDownloadView, TicketViewSet, TrackView

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [
    path("tickets/track/", TrackView.as_view(), name="ticket-track"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/download/",
        AttachmentDownloadView.as_view(),
        name="ticket-attachment-download",
    ),
    *router.urls,
]
