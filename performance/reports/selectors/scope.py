"""Whose teams a reader sees in an indicator report, and the note that says so.

`team_ids` narrows an indicator report to the teams a reader may see (None: every team, as for
officers, members and publication).
"""

from __future__ import annotations

from performance.common import access


def reader_team_ids(user: access.User) -> set[int] | None:
    """None when `user` reads every team (officers and members), else their teams' ids (the
    access gate's `readable_team_ids`)."""
    return access.readable_team_ids(user)


def _teams_note(team_ids: set[int] | None) -> str:
    if team_ids is None:
        return ""
    return "Showing the indicators of your teams only."
