"""URLs of the Manage area (performance officers only)."""

from django.urls import path

from performance.manage.views import people, people_import, records, targets

urlpatterns = [
    path("manage/", records.index, name="manage-index"),
    path("manage/people/", people.people, name="manage-people"),
    path("manage/people/import/", people_import.people_import, name="manage-people-import"),
    path(
        "manage/people/import/confirm/",
        people_import.people_import_confirm,
        name="manage-people-import-confirm",
    ),
    path("manage/people/<int:pk>/roles/", people.person_roles, name="manage-person-roles"),
    path(
        "manage/people/<int:pk>/active/", people_import.person_active, name="manage-person-active"
    ),
    path("manage/teams/<int:pk>/members/", people.team_members, name="manage-team-members"),
    path(
        "manage/teams/<int:pk>/members/<int:membership_pk>/remove/",
        people.team_member_remove,
        name="manage-team-member-remove",
    ),
    path("manage/indicators/<int:pk>/targets/", targets.targets, name="manage-targets"),
    path("manage/<slug:kind>/", records.record_list, name="manage-list"),
    path("manage/<slug:kind>/new/", records.record_create, name="manage-create"),
    path("manage/<slug:kind>/<int:pk>/", records.record_edit, name="manage-edit"),
    path("manage/<slug:kind>/<int:pk>/delete/", records.record_delete, name="manage-delete"),
]
