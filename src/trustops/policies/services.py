"""Writing the taxonomy: loading a file and revising single policies, always as new versions."""
import json
from pathlib import Path

from django.db import transaction

from trustops.kernel import clock
from trustops.kernel.errors import Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies.actions import ACTIONS, DSA_CATEGORIES, SEVERITIES
from trustops.policies.models import PenaltyLadder, Policy, PolicyVersion

DEFAULT_FILE = Path(__file__).parent / "data" / "short_video_taxonomy.json"
CONTENT_FIELDS = ("title", "severity", "guidance", "allowed_actions", "strike_weight", "zero_tolerance",
                  "dsa_category", "signal_threshold", "active")
INHERITED = ("severity", "allowed_actions", "dsa_category", "strike_weight", "signal_threshold")


def _validate(code: str, content: dict) -> None:
    parts = code.split(".")
    if not code or any(not p or not all(c.isalnum() or c == "_" for c in p) or not p.islower() for p in parts):
        raise Invalid("invalid_policy_code", f"{code!r} is not a dotted lower-case code.", field="code")
    if content["severity"] not in SEVERITIES:
        raise Invalid("invalid_severity", f"{code}: severity must be 1–5.", field="severity")
    unknown = sorted(set(content["allowed_actions"]) - set(ACTIONS))
    if unknown:
        raise Invalid("unknown_action", f"{code}: unknown actions {', '.join(unknown)}.", field="allowed_actions")
    if content["dsa_category"] not in DSA_CATEGORIES:
        raise Invalid("unknown_dsa_category", f"{code}: {content['dsa_category']!r} is not a DSA category.",
                      field="dsa_category")
    if not 0 <= content["signal_threshold"] <= 1:
        raise Invalid("invalid_threshold", f"{code}: signal_threshold must be within 0..1.", field="signal_threshold")


def _resolve(entries: list[dict]) -> dict[str, dict]:
    """Fill each policy's missing fields from its parent, parents first."""
    by_code = {}
    for entry in sorted(entries, key=lambda e: e.get("code", "").count(".")):
        code = entry.get("code", "")
        parent_code = code.rpartition(".")[0]
        if parent_code and parent_code not in by_code:
            raise Invalid("missing_parent", f"{code}: parent {parent_code!r} is not defined.", field="code")
        parent = by_code.get(parent_code, {})
        content = {
            "title": entry.get("title") or code.rpartition(".")[2].replace("_", " ").capitalize(),
            "guidance": entry.get("guidance", ""),
            "zero_tolerance": bool(entry.get("zero_tolerance", parent.get("zero_tolerance", False))),
            "active": bool(entry.get("active", True)),
        }
        for name in INHERITED:
            content[name] = entry.get(name, parent.get(name))
        content["allowed_actions"] = list(content["allowed_actions"] or [])
        content["strike_weight"] = int(content["strike_weight"] if content["strike_weight"] is not None else 1)
        content["signal_threshold"] = float(content["signal_threshold"] if content["signal_threshold"] is not None
                                            else 0.8)
        if content["severity"] is None or content["dsa_category"] is None:
            raise Invalid("incomplete_policy", f"{code}: severity and dsa_category are required.", field="code")
        _validate(code, content)
        by_code[code] = content
    return by_code


def resolve_taxonomy(entries: list[dict]) -> dict[str, dict]:
    """Each policy's full content as loading these entries would write it (`Invalid` on the first problem)."""
    return _resolve(entries)


def _same(version: PolicyVersion, content: dict) -> bool:
    return all(getattr(version, name) == content[name] for name in CONTENT_FIELDS)


def _write_version(policy: Policy, content: dict, *, actor, note: str) -> PolicyVersion:
    current = policy.current_version
    version = PolicyVersion.objects.create(
        policy=policy, number=(current.number + 1) if current else 1, created_at=clock.now(),
        created_by=actor if getattr(actor, "pk", None) else None, change_note=note, **content)
    policy.current_version = version
    policy.save(update_fields=["current_version"])
    ledger.record("policy.versioned", actor=actor, payload={
        "code": policy.code, "version": version.number, "note": note,
        "changed": [n for n in CONTENT_FIELDS if current is None or getattr(current, n) != content[n]]})
    return version


@transaction.atomic
def load_taxonomy(document: dict, *, actor=None, note: str = "") -> dict:
    """Load a taxonomy document. Unchanged policies keep their version; absent ones are retired."""
    entries = document.get("policies")
    if not isinstance(entries, list) or not entries:
        raise Invalid("empty_taxonomy", "The document has no policies.", field="policies")
    resolved = _resolve(entries)
    existing = {p.code: p for p in Policy.objects.select_related("current_version")}
    created = versioned = retired = 0
    for code, content in resolved.items():
        policy = existing.get(code)
        if policy is None:
            parent_code = code.rpartition(".")[0]
            policy = Policy.objects.create(code=code, parent=existing.get(parent_code))
            existing[code] = policy
            _write_version(policy, content, actor=actor, note=note or "loaded")
            created += 1
        elif not _same(policy.current_version, content):
            _write_version(policy, content, actor=actor, note=note or "loaded")
            versioned += 1
    ladders = _load_ladders(document.get("ladders", []), resolved, actor=actor)
    for code, policy in existing.items():
        if code not in resolved and policy.current_version and policy.current_version.active:
            content = {n: getattr(policy.current_version, n) for n in CONTENT_FIELDS} | {"active": False}
            _write_version(policy, content, actor=actor, note=note or "retired: absent from the loaded file")
            retired += 1
    return {"created": created, "versioned": versioned, "retired": retired, "unchanged":
            len(resolved) - created - versioned, "ladders": ladders}


LADDER_ACTIONS = {"warn", "restrict_live", "restrict_commenting", "restrict_selling", "suspend", "ban",
                  "revoke_benefits", "hold_payouts"}


def _validate_ladder(entry: dict, families: set[str]) -> dict:
    family = entry.get("family")
    if family != "*" and family not in families:
        raise Invalid("unknown_family", f"Ladder for unknown policy family {family!r}.", field="ladders")
    points = {str(k): int(v) for k, v in (entry.get("severity_points") or {}).items()}
    if set(points) - {"1", "2", "3", "4", "5"} or any(v < 0 for v in points.values()):
        raise Invalid("invalid_ladder", f"{family}: severity_points maps severities 1–5 to points ≥ 0.",
                      field="ladders")
    steps = sorted(entry.get("steps") or [], key=lambda s: s.get("at", 0))
    for step in steps:
        if not isinstance(step.get("at"), int) or step["at"] < 1 or step.get("action") not in LADDER_ACTIONS:
            raise Invalid("invalid_ladder", f"{family}: each step needs `at` ≥ 1 and an account action.",
                          field="ladders")
        if "days" in step and (not isinstance(step["days"], int) or step["days"] < 1):
            raise Invalid("invalid_ladder", f"{family}: `days` must be a whole number ≥ 1.", field="ladders")
    return {"strike_expiry_days": int(entry.get("strike_expiry_days", 90)), "severity_points": points,
            "steps": steps}


def _load_ladders(entries: list[dict], resolved: dict, *, actor) -> int:
    families = {code for code in resolved if "." not in code}
    changed = 0
    for entry in entries:
        content = _validate_ladder(entry, families)
        ladder, created = PenaltyLadder.objects.get_or_create(family=entry["family"], defaults=content)
        if not created and any(getattr(ladder, k) != v for k, v in content.items()):
            for name, value in content.items():
                setattr(ladder, name, value)
            ladder.save()
        elif not created:
            continue
        changed += 1
        ledger.record("penalty_ladder.saved", actor=actor, payload={"family": ladder.family, **content})
    return changed


def load_taxonomy_file(path: Path, *, actor=None) -> dict:
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise Invalid("unreadable_taxonomy", f"Cannot read {path}: {error}")
    return load_taxonomy(document, actor=actor, note=f"loaded from {Path(path).name}")


@transaction.atomic
def revise_policy(*, code: str, changes: dict, actor=None, note: str = "") -> PolicyVersion:
    policy = (Policy.objects.select_for_update(of=("self",)).select_related("current_version")
              .filter(code=code).first())
    if policy is None:
        raise NotFound("unknown_policy", f"No policy {code!r}.", field="code")
    unknown = sorted(set(changes) - set(CONTENT_FIELDS))
    if unknown:
        raise Invalid("unknown_field", f"Cannot change {', '.join(unknown)}.", field=unknown[0])
    content = {n: getattr(policy.current_version, n) for n in CONTENT_FIELDS} | changes
    _validate(code, content)
    if _same(policy.current_version, content):
        return policy.current_version
    return _write_version(policy, content, actor=actor, note=note or "revised")


def ladder_families() -> list[str]:
    """The families a ladder may be written for: every top-level policy, and "*" (the default ladder)."""
    return ["*", *Policy.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True)]


@transaction.atomic
def save_ladder(*, family: str, strike_expiry_days: int, severity_points: dict, steps: list[dict],
                actor=None) -> PenaltyLadder:
    """Write one family's ladder (created when the family had none). New thresholds apply to decisions taken
    from now on; strikes already given keep the expiry they were given with."""
    if not isinstance(strike_expiry_days, int) or not 1 <= strike_expiry_days <= 3650:
        raise Invalid("invalid_ladder", "Strikes expire after 1 to 3650 days.", field="strike_expiry_days")
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise Invalid("invalid_ladder", "Steps are a list of {at, action, days}.", field="steps")
    families = set(ladder_families()) - {"*"}
    content = _validate_ladder({"family": family, "strike_expiry_days": strike_expiry_days,
                                "severity_points": severity_points, "steps": steps}, families)
    ladder = PenaltyLadder.objects.select_for_update().filter(family=family).first()
    before = None
    if ladder is None:
        ladder = PenaltyLadder(family=family)
    else:
        before = {name: getattr(ladder, name) for name in content}
        if before == content:
            return ladder
    for name, value in content.items():
        setattr(ladder, name, value)
    ladder.save()
    ledger.record("penalty_ladder.saved", actor=actor, payload={"family": family, **content, "before": before})
    return ladder
