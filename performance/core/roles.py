"""The roles of SPEC §1, kept as Django groups so an administrator can see and change them.

A role says what a person may do; the teams they belong to (TeamMembership) say where.
"""

from enum import StrEnum


class Role(StrEnum):
    PERFORMANCE_OFFICER = "Performance officer"
    DATA_ENTERER = "Data enterer"
    DATA_MANAGER = "Data manager"
    SERVICE_MANAGER = "Service manager"
    MEMBER = "Member"

    @property
    def slug(self) -> str:
        return {
            Role.PERFORMANCE_OFFICER: "performance",
            Role.DATA_ENTERER: "enterer",
            Role.DATA_MANAGER: "manager",
            Role.SERVICE_MANAGER: "head",
            Role.MEMBER: "member",
        }[self]

    @property
    def description(self) -> str:
        return {
            Role.PERFORMANCE_OFFICER: "Configures plans, indicators, teams and timetables; publishes reports.",
            Role.DATA_ENTERER: "Enters values, performance comments and evidence for assigned indicators.",
            Role.DATA_MANAGER: "Checks and activates or returns values for assigned indicators.",
            Role.SERVICE_MANAGER: "Owns a team's or service's indicators, service plan and action plans.",
            Role.MEMBER: "Management Team, Cabinet or Overview & Scrutiny: reads dashboards and reports.",
        }[self]
