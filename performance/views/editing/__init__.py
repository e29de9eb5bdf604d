"""The Manage area: performance officers set up the organisation, plans and indicators.

Most things a performance officer configures are plain records with a parent (an outcome under
a priority, a milestone under an activity), so one set of list / create / edit / delete views
(`records`) serves them all from the declarative table `kinds.KINDS`: each kind names its form
(and so its model), list columns, parents, children and links. People's roles and team members
(`people`) and the year table of targets (`targets`) have views of their own. Everyone but a
performance officer gets 403 on every URL here (`common.officer_required`).
"""

from django.urls import path

from performance.views.editing import people, records, targets
from performance.views.editing.kinds import KINDS

__all__ = ["KINDS", "urlpatterns"]

urlpatterns = [
    path("manage/", records.index, name="manage-index"),
    path("manage/people/", people.people, name="manage-people"),
    path("manage/people/<int:pk>/roles/", people.person_roles, name="manage-person-roles"),
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
