from rest_framework.routers import SimpleRouter

from apps.notifications.apis import InboxViewSet

router = SimpleRouter()
router.register("inbox", InboxViewSet, basename="inbox")
urlpatterns = router.urls
