"""Schemas of queue and routing configuration over the API."""
from typing import Annotated

from ninja import Field, Schema

from trustops.kernel.inputs import INT32_MAX, Seconds

Tier = Annotated[int, Field(ge=1, le=9)]
Position = Annotated[int, Field(ge=0, le=INT32_MAX)]
Reach = Annotated[int, Field(ge=0, le=10**12)]
Severity = Annotated[int, Field(ge=1, le=5)]
Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=120)]], Field(max_length=200)]


class QueueIn(Schema):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    sla_seconds: Seconds = 24 * 3600
    tier: Tier = 1
    severe_content: bool = False
    required_clearance: str = Field(default="", max_length=40)
    teams: Names = Field(default_factory=list, description="Keys of the in-house teams that work it")
    vendors: Names = Field(default_factory=list, description="Keys of the BPO vendors contracted to it")
    allowed_actions: Names = Field(default_factory=list, description="Empty: whatever the policy allows")
    is_default: bool | None = Field(default=None, description="The first queue becomes the default")
    active: bool = True


class QueuePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    sla_seconds: Seconds | None = Field(default=None, description="Applies to cases opened afterwards")
    tier: Tier | None = None
    severe_content: bool | None = None
    required_clearance: str | None = Field(default=None, max_length=40)
    teams: Names | None = None
    vendors: Names | None = None
    allowed_actions: Names | None = None
    is_default: bool | None = None
    active: bool | None = None


class QueueSettingsOut(Schema):
    key: str
    name: str
    description: str
    sla_seconds: int
    tier: int
    severe_content: bool
    required_clearance: str
    teams: list[str]
    vendors: list[str]
    allowed_actions: list[str]
    is_default: bool
    active: bool


class RuleConditions(Schema):
    subject_types: Names | None = None
    policy_prefixes: Names | None = None
    regions: Names | None = None
    languages: Names | None = None
    sources: Names | None = None
    min_severity: Severity | None = None
    min_reach: Reach | None = None


class RuleIn(RuleConditions):
    name: str = Field(min_length=1, max_length=200)
    queue: str = Field(min_length=1, max_length=64)
    position: Position | None = Field(default=None, description="Lower goes first; without one it goes last")
    enabled: bool = True


class RulePatch(RuleConditions):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    queue: str | None = Field(default=None, min_length=1, max_length=64)
    position: Position | None = None
    enabled: bool | None = None


class RuleOut(Schema):
    id: int
    position: int
    name: str
    queue: str
    enabled: bool
    subject_types: list[str]
    policy_prefixes: list[str]
    regions: list[str]
    languages: list[str]
    sources: list[str]
    min_severity: int | None
    min_reach: int | None


class ProbeSubject(Schema):
    type: str = Field(min_length=1, max_length=40)
    region: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")
    language: str | None = Field(default=None, max_length=20)
    reach: Reach | None = None


class RouteProbeIn(Schema):
    """A report body (what POST /reports takes); only what routing looks at is read, the rest is ignored."""
    subject: ProbeSubject
    reason: str = Field(min_length=1, max_length=120, description="The policy code reported")
    source: str = Field(default="user", max_length=40)


class ProbeRuleOut(Schema):
    id: int
    name: str
    position: int


class RouteProbeOut(Schema):
    rule: ProbeRuleOut | None = Field(description="The first rule that takes it; null when the default queue does")
    queue: str
    default: bool
