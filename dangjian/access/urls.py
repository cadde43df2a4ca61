from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/toggle/", views.UserToggleActiveView.as_view(), name="user_toggle"),
    path("grants/", views.GrantListView.as_view(), name="grant_list"),
    path("grants/new/", views.GrantCreateView.as_view(), name="grant_create"),
    path("grants/<int:pk>/revoke/", views.GrantRevokeView.as_view(), name="grant_revoke"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/chain/", views.AuditChainStatusView.as_view(), name="audit_chain"),
    path("audit/chain/verify/", views.AuditChainVerifyView.as_view(), name="audit_verify"),
    # Every user's own API tokens.
    path("tokens/", views.ApiTokenListView.as_view(), name="token_list"),
    path("tokens/new/", views.ApiTokenCreateView.as_view(), name="token_create"),
    path("tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
    path("tokens/revoke-all/", views.ApiTokenRevokeAllView.as_view(), name="token_revoke_all"),
]
