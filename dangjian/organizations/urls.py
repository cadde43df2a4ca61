from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationTreeView.as_view(), name="organization_tree"),
    path("new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path(
        "<int:pk>/children/", views.OrganizationChildrenView.as_view(), name="organization_children"
    ),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
    path("<int:pk>/move/", views.OrganizationMoveView.as_view(), name="organization_move"),
    path(
        "<int:pk>/dissolve/", views.OrganizationDissolveView.as_view(), name="organization_dissolve"
    ),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitFormView.as_view(), name="unit_create"),
    path("units/<int:pk>/edit/", views.UnitFormView.as_view(), name="unit_update"),
]
