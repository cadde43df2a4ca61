from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("locks/", views.LockListView.as_view(), name="lock_list"),
    path("locks/<int:pk>/unlock/", views.UnlockView.as_view(), name="unlock"),
]
