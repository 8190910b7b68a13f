"""The platform file: YAML read with the line of every value, checked as a whole by pydantic models.

Every problem is reported with its line and the dotted path of its field, all at once, so a broken file can be
fixed in one go. A section left out of the file is not managed by it; a section present is the whole truth.
"""
import re
from dataclasses import dataclass
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from trustops.identity.access import CLEARANCES
from trustops.policies.actions import ACTIONS, DSA_CATEGORIES
from trustops.policies.services import LADDER_ACTIONS
from trustops.review.configuration import KEY, REGION
from trustops.review.priority import SOURCE_TRUST
from trustops.subjects.models import SUBJECT_TYPES

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
POLICY_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str

    def __str__(self):
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field or '(document)'}: {self.message}"


class Refused(Exception):
    """The file is refused whole: nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# ---- YAML with lines ----

def _build(node, path: tuple, lines: dict, constructor: SafeConstructor, problems: list):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        constructor.flatten_mapping(node)
        result = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str | int):
                problems.append(Problem(key_node.start_mark.line + 1, dotted(path), "keys are plain words"))
                continue
            if key in result:
                problems.append(Problem(key_node.start_mark.line + 1, dotted(path + (key,)), "given twice"))
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, path + (key,), lines, constructor, problems)
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, path + (i,), lines, constructor, problems) for i, item in enumerate(node.value)]
    return constructor.construct_object(node)


def read_yaml(text: str) -> tuple[object, dict[tuple, int]]:
    """The file's value and the line of each path in it; `Refused` if it is not YAML."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        problems: list[Problem] = []
        lines: dict[tuple, int] = {}
        value = {} if root is None else _build(root, (), lines, SafeConstructor(), problems)
    except (yaml.YAMLError, ConstructorError) as error:
        mark = getattr(error, "problem_mark", None)
        raise Refused([Problem(mark.line + 1 if mark else None, "", f"not valid YAML: {error}")]) from error
    if problems:
        raise Refused(problems)
    return value, lines


def dotted(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(lines: dict, path: tuple) -> int | None:
    """The line of the value at `path`, or of its nearest parent present in the file."""
    path = tuple(path)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


# ---- the models ----

Key = Annotated[str, Field(pattern=KEY.pattern)]
Words = list[Annotated[str, Field(min_length=1, max_length=120)]]


def _known_actions(value):
    unknown = sorted(set(value or []) - set(ACTIONS))
    if unknown:
        raise ValueError(f"unknown actions {', '.join(unknown)}")
    return value


Actions = Annotated[Words, AfterValidator(_known_actions)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class VendorEntry(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=200)


class TeamEntry(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=200)
    vendor: Key | None = None


class PolicyEntry(Strict):
    """One policy in the taxonomy's own format; fields left out are inherited from the parent."""
    code: str = Field(pattern=POLICY_CODE.pattern, max_length=120)
    title: str | None = Field(default=None, max_length=200)
    severity: int | None = Field(default=None, ge=1, le=5)
    guidance: str | None = None
    allowed_actions: Actions | None = None
    strike_weight: int | None = Field(default=None, ge=0, le=100)
    zero_tolerance: bool | None = None
    dsa_category: str | None = None
    signal_threshold: float | None = Field(default=None, ge=0, le=1)
    active: bool | None = None

    @field_validator("dsa_category")
    @classmethod
    def _known_category(cls, value):
        if value is not None and value not in DSA_CATEGORIES:
            raise ValueError(f"{value!r} is not a DSA category")
        return value


class LadderStep(Strict):
    at: int = Field(ge=1)
    action: Literal[tuple(sorted(LADDER_ACTIONS))]
    days: int | None = Field(default=None, ge=1)


class LadderEntry(Strict):
    family: str = Field(min_length=1, max_length=120)
    strike_expiry_days: int = Field(default=90, ge=1, le=3650)
    severity_points: dict[Literal["1", "2", "3", "4", "5"], Annotated[int, Field(ge=0, le=1000)]] = {}
    steps: list[LadderStep] = []

    @field_validator("severity_points", mode="before")
    @classmethod
    def _keys_as_text(cls, value):
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


class QueueEntry(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    sla_seconds: int = Field(default=24 * 3600, ge=60, le=90 * 24 * 3600)
    tier: int = Field(default=1, ge=1, le=9)
    severe_content: bool = False
    required_clearance: Literal[("", *CLEARANCES)] = ""
    teams: list[Key] = []
    vendors: list[Key] = []
    allowed_actions: Actions = []
    default: bool = False
    active: bool = True
    requires_certification: bool = False   # agents work it only once certified (workforce training)


class RuleEntry(Strict):
    name: str = Field(min_length=1, max_length=200)
    queue: Key
    enabled: bool = True
    subject_types: list[Literal[tuple(SUBJECT_TYPES)]] = []
    policy_prefixes: list[Annotated[str, Field(pattern=POLICY_CODE.pattern)]] = []
    regions: list[Annotated[str, Field(pattern=REGION.pattern)]] = []
    languages: Words = []
    sources: list[Literal[tuple(SOURCE_TRUST)]] = []
    min_severity: int | None = Field(default=None, ge=1, le=5)
    min_reach: int | None = Field(default=None, ge=0, le=10**12)


class WebhookEntry(Strict):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=500)
    events: Words = []
    active: bool = True
    secret_env: str = Field(pattern=ENV_NAME.pattern,
                            description="The environment variable holding the signing secret; never the secret")


CATEGORY_CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
Phrases = list[Annotated[str, Field(min_length=1, max_length=200)]]


def _requirement_regions(value):
    wrong = [region for region in value if region != "*" and not REGION.match(region)]
    if wrong:
        raise ValueError(f"regions are '*' or a region code: not {', '.join(map(repr, wrong))}")
    return value


class MerchantCategoryEntry(Strict):
    """A node of the merchants' category tree and the qualifications it needs per region ("*": every region)."""
    code: str = Field(pattern=CATEGORY_CODE)
    name: str = Field(min_length=1, max_length=120)
    parent: str | None = Field(default=None, pattern=CATEGORY_CODE)
    requirements: Annotated[dict[str, list[Annotated[str, Field(pattern=CATEGORY_CODE)]]],
                            AfterValidator(_requirement_regions)] = {}
    documents: list[Annotated[str, Field(pattern=CATEGORY_CODE)]] = Field(default=[], max_length=20)
    prohibited_services: Phrases = Field(default=[], max_length=200)
    misleading_phrases: Phrases = Field(default=[], max_length=200)
    active: bool = True


class PlatformFile(Strict):
    version: Literal[1] = 1
    vendors: list[VendorEntry] | None = None
    teams: list[TeamEntry] | None = None
    policies: list[PolicyEntry] | None = None
    ladders: list[LadderEntry] | None = None
    queues: list[QueueEntry] | None = None
    routing: list[RuleEntry] | None = Field(default=None, description="In order: the first match wins")
    webhooks: list[WebhookEntry] | None = None
    merchant_categories: list[MerchantCategoryEntry] | None = None


def _pydantic_problems(error: ValidationError, lines: dict) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and part.startswith("literal[")))
        problems.append(Problem(line_of(lines, loc), dotted(loc), item["msg"]))
    return problems


def _duplicates(items, attr: str, section: str, lines: dict) -> list[Problem]:
    seen, problems = set(), []
    for i, item in enumerate(items or []):
        value = getattr(item, attr)
        if value in seen:
            problems.append(Problem(line_of(lines, (section, i, attr)), f"{section}[{i}].{attr}",
                                    f"{value!r} is given twice"))
        seen.add(value)
    return problems


def _cross_checks(doc: PlatformFile, lines: dict, known: dict) -> list[Problem]:
    """References between sections (and to what the database holds, for sections left out)."""
    problems = []
    for section, attr in (("vendors", "key"), ("teams", "key"), ("policies", "code"), ("ladders", "family"),
                          ("queues", "key"), ("routing", "name"), ("webhooks", "name"),
                          ("merchant_categories", "code")):
        problems += _duplicates(getattr(doc, section), attr, section, lines)

    def names(section):
        entries = getattr(doc, section)
        return known[section] if entries is None else {getattr(e, "code" if section == "policies" else "key")
                                                        for e in entries}

    def refuse(path, message):
        problems.append(Problem(line_of(lines, path), dotted(path), message))

    vendors, teams, queues, policies = names("vendors"), names("teams"), names("queues"), names("policies")
    for i, team in enumerate(doc.teams or []):
        if team.vendor and team.vendor not in vendors:
            refuse(("teams", i, "vendor"), f"no vendor {team.vendor!r}")
    for i, queue in enumerate(doc.queues or []):
        for field, valid in (("teams", teams), ("vendors", vendors)):
            for j, key in enumerate(getattr(queue, field)):
                if key not in valid:
                    refuse(("queues", i, field, j), f"no {field[:-1]} {key!r}")
        if queue.default and not queue.active:
            refuse(("queues", i, "active"), "the default queue must be active")
    if doc.queues is not None:
        defaults = [i for i, q in enumerate(doc.queues) if q.default]
        if len(defaults) != 1:
            refuse(("queues",), f"exactly one queue is the default (found {len(defaults)})")
    for i, rule in enumerate(doc.routing or []):
        if rule.queue not in queues:
            refuse(("routing", i, "queue"), f"no queue {rule.queue!r}")
        for j, prefix in enumerate(rule.policy_prefixes):
            if not any(code == prefix or code.startswith(prefix + ".") for code in policies):
                refuse(("routing", i, "policy_prefixes", j), f"no policy is or lies under {prefix!r}")
    if doc.ladders is not None and doc.policies is None:
        refuse(("ladders",), "ladders are given with the policies they belong to")
    families = {code for code in policies if "." not in code}
    for i, ladder in enumerate(doc.ladders or []):
        if ladder.family != "*" and ladder.family not in families:
            refuse(("ladders", i, "family"), f"no policy family {ladder.family!r}")
    for i, hook in enumerate(doc.webhooks or []):
        unknown = sorted(set(hook.events) - set(known["event_kinds"]))
        if unknown:
            refuse(("webhooks", i, "events"), f"unknown event kinds {', '.join(unknown)}")
    problems += _category_tree(doc, lines)
    return problems


def _category_tree(doc: PlatformFile, lines: dict) -> list[Problem]:
    """Every parent is a category of the file, and no category sits under itself."""
    entries = doc.merchant_categories or []
    parents = {e.code: e.parent for e in entries}
    problems = []
    for i, entry in enumerate(entries):
        path = ("merchant_categories", i, "parent")
        if entry.parent and entry.parent not in parents:
            problems.append(Problem(line_of(lines, path), dotted(path), f"no category {entry.parent!r} in the file"))
            continue
        seen, walk = {entry.code}, entry.parent
        while walk:
            if walk in seen:
                problems.append(Problem(line_of(lines, path), dotted(path), "a category cannot sit under itself"))
                break
            seen.add(walk)
            walk = parents.get(walk)
    return problems


def parse(text: str, known: dict) -> tuple[PlatformFile, dict]:
    """The checked file, or `Refused` with every problem found. `known` names what the database holds
    (`vendors`, `teams`, `queues`, `policies`, `event_kinds`) for references to sections left out."""
    value, lines = read_yaml(text)
    if not isinstance(value, dict):
        raise Refused([Problem(line_of(lines, ()), "", "the file is a mapping of sections")])
    try:
        doc = PlatformFile.model_validate(value)
    except ValidationError as error:
        raise Refused(_pydantic_problems(error, lines)) from None
    problems = _cross_checks(doc, lines, known)
    if problems:
        raise Refused(problems)
    return doc, lines
