"""Models of the performance app, one module per area; import them from here."""

from performance.models.api import ApiIdempotencyKey, ApiToken
from performance.models.audit import AuditEvent
from performance.models.collection import CollectionRound, SentReminder
from performance.models.generation import Generation
from performance.models.indicators import (
    Indicator,
    IndicatorComment,
    LongTermTarget,
    SpcChangePoint,
    Target,
    Value,
)
from performance.models.notifications import NotificationRead
from performance.models.organisation import Directorate, Service, Team, TeamMembership
from performance.models.outbox import OutboxMessage
from performance.models.plans import (
    Action,
    ActionPlan,
    ActionPlanRequest,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    IndividualObjective,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
)
from performance.models.risks import (
    Risk,
    RiskAction,
    RiskAlert,
    RiskCategory,
    RiskControl,
    RiskEscalation,
    RiskReview,
    RiskSettings,
)

__all__ = [
    "Action",
    "ActionPlan",
    "ActionPlanRequest",
    "ActionPlanVersion",
    "Activity",
    "ActivityProgress",
    "ApiIdempotencyKey",
    "ApiToken",
    "AuditEvent",
    "CollectionRound",
    "Directorate",
    "Generation",
    "Indicator",
    "IndicatorComment",
    "IndividualObjective",
    "LongTermTarget",
    "MeasureOfSuccess",
    "Milestone",
    "NotificationRead",
    "OutboxMessage",
    "Outcome",
    "Priority",
    "Risk",
    "RiskAction",
    "RiskAlert",
    "RiskCategory",
    "RiskControl",
    "RiskEscalation",
    "RiskReview",
    "RiskSettings",
    "SentReminder",
    "Service",
    "ServicePlan",
    "ServicePlanObjective",
    "SpcChangePoint",
    "StrategicAction",
    "StrategicActionUpdate",
    "StrategicPlan",
    "Target",
    "Team",
    "TeamMembership",
    "Value",
]
