"""The portal's pages, mounted at "/" (last in servicedesk/urls.py), and Django's auth views."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.portal.views import dashboard, public, staff, tickets

app_name = "portal"

auth = [
    path(
        "accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, next_page="/"), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("accounts/register/", public.register, name="register"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("portal:password_reset_done")),
        name="password_reset",
    ),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("portal:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    *auth,
    path("", public.home, name="home"),
    path("services/", public.catalog, name="catalog"),
    path("services/<str:code>/", public.guide, name="guide"),
    path("submit/", public.submit, name="submit"),
    path("submit/fields/", public.category_fields, name="category_fields"),
    path("submitted/<str:code>/", public.submitted, name="submitted"),
    path("track/", public.track_page, name="track"),
    path("my/", public.my_requests, name="my_requests"),
    path("tickets/", tickets.ticket_index, name="tickets"),
    path("tickets/<int:pk>/", tickets.ticket_page, name="ticket"),
    path("tickets/<int:pk>/receipt/", tickets.receipt, name="receipt"),
    path("tickets/<int:pk>/<str:action>/", tickets.ticket_act, name="ticket_act"),
    path("desk/", staff.desk, name="desk"),
    path("desk/history/", staff.desk_history, name="desk_history"),
    path("queue/", staff.queue, name="queue"),
    path("patrol/", staff.patrol, name="patrol"),
    path("inbox/", staff.inbox, name="inbox"),
    path("inbox/read/", staff.inbox_read, name="inbox_read"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export/<str:table>.<str:fmt>", dashboard.export, name="export"),
]
