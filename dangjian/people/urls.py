from django.urls import include, path

from . import roster_urls, views

app_name = "people"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="member_list"),
    path("new/", views.MemberCreateView.as_view(), name="member_create"),
    path(
        "organization-options/",
        views.OrganizationOptionsView.as_view(),
        name="organization_options",
    ),
    path("pick/", views.MemberPickView.as_view(), name="member_pick"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member_update"),
    path("<int:pk>/transfer/", views.MemberTransferView.as_view(), name="member_transfer"),
    path("<int:pk>/reveal/<str:field>/", views.MemberRevealView.as_view(), name="member_reveal"),
    path("<int:pk>/posts/new/", views.PostCreateView.as_view(), name="post_create"),
    path("posts/<int:pk>/end/", views.PostEndView.as_view(), name="post_end"),
    path("import/", include(roster_urls.urlpatterns)),
    *roster_urls.export_urlpatterns,
]
