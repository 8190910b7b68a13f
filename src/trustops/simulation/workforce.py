"""The synthetic platform's reviewers and QA staff: who they are, when they work, how well and how fast.

Pure apart from `create`: how a reviewer judges a case is drawn from their own accuracy against the hidden
ground truth, so audits later find the errors the simulation made on purpose.
"""
import math
import random
from dataclasses import dataclass

from trustops.simulation import platform

IN_HOUSE = platform.IN_HOUSE_TEAM
NORTHWIND = platform.VENDOR_A
LUMEN = platform.VENDOR_B
SHIFT_HOURS = 8
# Errors: a missed violation more often than the wrong sibling policy (when the policy has siblings).
MISSED_SHARE = 0.6


@dataclass(frozen=True)
class Reviewer:
    username: str
    role: str
    vendor: str | None
    team: str | None
    regions: tuple[str, ...]
    accuracy: float            # chance of the right verdict and policy
    handle_median: float       # seconds per decision
    shift: int                 # 0: 06-14 UTC, 1: 14-22, 2: 22-06
    joined_days_ago: int | None = None   # None: on the team all month
    appeals: bool = False      # works the appeals queue only

    @property
    def per_hour(self) -> float:
        # Time on a case plus reading, tooling and breaks between cases.
        return 3600 / (self.handle_median + 90)

    def on_shift(self, hour_of_day: int) -> bool:
        start = 6 + SHIFT_HOURS * self.shift
        return (hour_of_day - start) % 24 < SHIFT_HOURS

    def handle_seconds(self, rng: random.Random, *, slower: float = 1.0) -> int:
        """Log-normal around the median: most cases are quick, a few take much longer."""
        seconds = self.handle_median * slower * math.exp(rng.gauss(0, 0.45))
        return int(min(480, max(8, seconds)))


# Accuracy and speed differ by vendor and person: Northwind careful, Lumen quick, one new agent still learning.
REVIEWERS = [
    Reviewer("moderator", "moderator", None, IN_HOUSE, ("*",), 0.95, 70, 0),
    Reviewer("mod.amara", "moderator", None, IN_HOUSE, ("*",), 0.96, 80, 1),
    Reviewer("mod.jonas", "moderator", None, IN_HOUSE, ("*",), 0.93, 65, 2),
    Reviewer("agent.northwind", "vendor_agent", NORTHWIND, f"{NORTHWIND} agents", ("US",), 0.96, 55, 0),
    Reviewer("northwind.kai", "vendor_agent", NORTHWIND, f"{NORTHWIND} agents", ("US",), 0.94, 60, 1),
    Reviewer("northwind.lea", "vendor_agent", NORTHWIND, f"{NORTHWIND} agents", ("*",), 0.97, 62, 2),
    Reviewer("agent.lumen", "vendor_agent", LUMEN, f"{LUMEN} agents", ("*",), 0.91, 45, 0),
    Reviewer("lumen.rafa", "vendor_agent", LUMEN, f"{LUMEN} agents", ("*",), 0.88, 40, 1),
    Reviewer("lumen.mei", "vendor_agent", LUMEN, f"{LUMEN} agents", ("*",), 0.93, 48, 2),
    Reviewer("lumen.tomas", "vendor_agent", LUMEN, f"{LUMEN} agents", ("*",), 0.78, 95, 1, joined_days_ago=12),
    Reviewer("appeals.priya", "moderator", None, IN_HOUSE, ("*",), 0.97, 150, 0, appeals=True),
    Reviewer("lead", "team_lead", None, IN_HOUSE, ("*",), 0.97, 160, 1, appeals=True),
]
NEW_AGENT = "lumen.tomas"

# QA: the demo auditor `qa`, a second auditor, and a QA lead who arbitrates, calibrates and runs experiments.
QA_AUDITORS = ["qa", "qa.noor"]
QA_LEAD = "qa.lead"
QA_PEOPLE = [("qa.noor", "qa_auditor"), (QA_LEAD, "qa_lead")]   # qa and qa.lead are demo logins too

APPEAL_SHARE_RIGHT = 0.08      # owners appeal some correct removals…
APPEAL_SHARE_WRONG = 0.45      # …and many wrong ones
OVERTURN_IF_WRONG = 0.85
OVERTURN_IF_RIGHT = 0.07

RATIONALES = {
    "violation": ("Matches the {policy} guidance.", "Clear breach of {policy}; default actions applied.",
                  "Context confirms {policy}."),
    "no_violation": ("No breach of the reported policy found.", "Reviewed in context; nothing violates policy.",
                     "Satire/commentary; allowed under the guidance."),
    "upheld": ("The original decision follows the guidance.", "Upheld after a second look."),
    "overturned": ("The original decision misread the content; reversed.", "Overturned: the guidance allows this."),
}


@dataclass
class Judgement:
    verdict: str
    policy: str | None
    correct: bool


def judge(rng: random.Random, accuracy: float, *, truth: str | None, reported: str | None,
          siblings: dict[str, list[str]]) -> Judgement:
    """A reviewer's call on a subject whose true policy is `truth` (None: clean), reported as `reported`."""
    if rng.random() < accuracy:
        return Judgement("violation" if truth else "no_violation", truth, True)
    if truth is None:
        return Judgement("violation", reported, False) if reported else Judgement("no_violation", None, True)
    others = siblings.get(truth, [])
    if others and rng.random() >= MISSED_SHARE:
        return Judgement("violation", rng.choice(others), False)
    return Judgement("no_violation", None, False)


def rationale(rng: random.Random, verdict: str, policy: str | None) -> str:
    return rng.choice(RATIONALES[verdict]).format(policy=policy or "")


def create() -> dict:
    """The reviewers and QA staff, without passwords unless they are also demo logins (those exist already)."""
    people = {}
    for reviewer in REVIEWERS:
        # In-house moderators work the restricted queues around the clock, so each holds both clearances.
        cleared = reviewer.role == "moderator" and reviewer.vendor is None and not reviewer.appeals
        people[reviewer.username] = platform.person(
            reviewer.username, reviewer.role, vendor=reviewer.vendor, team=reviewer.team, regions=reviewer.regions,
            clearances=(platform.CHILD_SAFETY, platform.TERRORISM_NCII) if cleared else ())
    for username, role in QA_PEOPLE:
        people[username] = platform.person(username, role)
    return people
