"""The synthetic platform: a short-video app with LIVE and Local Services, generated from a seed.

Pure and reproducible: the same seed, size and policy catalogue give the same accounts, items, hidden ground
truth, reports and signals. Nothing here touches the database; `seed.py` replays a world through intake.
All text is neutral placeholder text.
"""
import math
import random
from dataclasses import dataclass, field

from trustops.simulation.platform import REGIONS

HOUR = 3600
DAY = 24 * HOUR
RECENT_SECONDS = 72 * HOUR      # most reports and signals arrive over the last three days: the open backlog
HISTORY_SECONDS = 30 * DAY      # the rest arrive steadily over the month before, which reviewers have worked
CATALOGUE_SECONDS = HISTORY_SECONDS + DAY   # items may be a day older than the oldest report
ESTABLISHED_SHARE = 0.6         # share of items that existed before the history began
STEADY_SHARE = 0.3              # share of reported subjects (and of signals) spread evenly over the history

REGION_WEIGHTS = {"US": 40, "GB": 10, "DE": 10, "FR": 8, "BR": 14, "ID": 10, "JP": 8}
LANGUAGES = {"US": "en-US", "GB": "en-GB", "DE": "de", "FR": "fr", "BR": "pt-BR", "ID": "id", "JP": "ja"}
CURRENCIES = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "BR": "BRL", "ID": "IDR", "JP": "JPY"}
assert set(REGION_WEIGHTS) == set(REGIONS) == set(LANGUAGES) == set(CURRENCIES)

# How many of each at the default size (~3,000 accounts, ~8,000 items, ~4,000 reports).
DEFAULT_COUNTS = {
    "user": 2000, "creator": 800, "merchant": 200,
    "video": 3600, "comment": 2300, "livestream": 400, "listing": 700, "poi": 400, "message": 600,
}
DEFAULT_REPORTS = 4000
DEFAULT_SIGNALS = 1200
SIZES = {"tiny": 0.03, "default": 1, "large": 5}

# Share of each kind that really violates a policy, and which policies (weighted) it would violate.
PREVALENCE = {"user": 0.04, "creator": 0.05, "merchant": 0.10, "video": 0.12, "comment": 0.12,
              "livestream": 0.15, "listing": 0.12, "poi": 0.10, "message": 0.15}
POLICY_MIX = {
    "user": {"integrity.impersonation": 4, "integrity.spam": 5, "minor_safety.underage_account": 2},
    "creator": {"integrity.impersonation": 3, "integrity.fake_engagement": 4, "scams.investment": 1},
    "merchant": {"merchant.fraud": 3, "merchant.unlicensed_service": 3, "merchant.fake_reviews": 2},
    "video": {"harassment.bullying": 8, "hate.slurs": 5, "hate.dehumanisation": 2, "adult.nudity": 8,
              "violence.graphic": 5, "violence.threats": 2, "dangerous.drugs": 3,
              "self_harm.eating_disorder": 2,
              "integrity.spam": 6, "integrity.fake_engagement": 4, "integrity.synthetic_media": 3,
              "integrity.election_misinformation": 2, "ip.copyright": 8, "scams.investment": 3,
              "minor_safety.dangerous_challenge": 2, "violent_extremism.glorification": 1,
              "privacy.non_consensual_imagery": 0.5, "harassment.doxxing": 1},
    "comment": {"harassment.bullying": 10, "hate.slurs": 6, "integrity.spam": 10, "scams.phishing": 4,
                "violence.threats": 3, "harassment.sexual_harassment": 2},
    "livestream": {"live.gift_begging": 6, "live.unattended_stream": 4, "live.dangerous_stunt": 3,
                   "adult.nudity": 3, "harassment.bullying": 2, "ip.copyright": 2},
    "listing": {"merchant.fraud.fake_listing": 5, "merchant.fraud.bait_and_switch": 4,
                "merchant.fraud.payment_off_platform": 4, "merchant.misleading_info": 5,
                "merchant.prohibited_product": 3, "ip.counterfeit": 4, "dangerous.weapons_sale": 1},
    "poi": {"merchant.fake_reviews": 6, "merchant.misleading_info": 5, "merchant.unlicensed_service": 3},
    "message": {"scams.phishing": 6, "scams.investment": 4, "integrity.spam": 8,
                "harassment.sexual_harassment": 3, "minor_safety.grooming": 1},
}
OWNER_TYPES = {"video": {"creator": 7, "user": 3}, "comment": {"user": 9, "creator": 1},
               "livestream": {"creator": 1}, "listing": {"merchant": 1}, "poi": {"merchant": 1},
               "message": {"user": 8, "merchant": 2}}

TRUE_REPORT_SHARE = 0.55
# Trusted flaggers and authorities mostly report real problems; anonymous users report everything.
TRUE_SOURCES = {"user": 70, "trusted_flagger": 14, "automated": 12, "authority": 4}
FALSE_SOURCES = {"user": 90, "trusted_flagger": 3, "automated": 7}
# A truthful reporter still picks a neighbouring reason sometimes.
SIBLING_REASON_SHARE = 0.15
PARENT_REASON_SHARE = 0.10

SIGNAL_TRUE_SHARE = 0.4
DETECTORS = {"video": "video-classifier-v3", "comment": "text-classifier-v2", "message": "text-classifier-v2",
             "livestream": "live-frame-classifier-v1", "listing": "listing-risk-model-v1"}
POLICY_DETECTORS = {"integrity.spam": "spam-rules-v5", "ip.copyright": "audio-fingerprint-v2"}

REPORT_AGE_MEAN = 14 * HOUR
# Cases on fast queues (severe harms, child safety, LIVE, authority orders) are worked first, so their open
# backlog is young; the rest waits longer.
URGENT_REPORT_AGE_MEAN = 0.75 * HOUR
URGENT_PREFIXES = ("minor_safety", "violent_extremism", "privacy.non_consensual_imagery", "live")
FOLLOW_UP_MEAN = 3 * HOUR

BUSINESS_CATEGORIES = ("restaurant", "beauty_salon", "home_cleaning", "fitness_studio", "car_repair", "hotel",
                       "pet_care", "tutoring", "event_tickets")
MERCHANT_STAGES = {"onboarding": 10, "kyb_review": 10, "active": 60, "probation": 10, "suspended": 5,
                   "offboarded": 5}
REPORT_TEXTS = ("Reported from the in-app menu.", "Placeholder report text.",
                "Flagged during a routine sweep.", "Reported after viewing.", "")
LOREM = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
         "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua")


@dataclass
class SubjectPlan:
    """An account or item of the synthetic platform, with its hidden ground truth."""
    type: str
    external_id: str
    region: str
    reach: int
    attributes: dict
    owner: "SubjectPlan | None" = None
    violation: str | None = None
    age: int = CATALOGUE_SECONDS  # seconds before the world's "now" at which it appeared

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.external_id)

    @property
    def language(self) -> str:
        return LANGUAGES.get(self.region, "")

    def as_intake(self) -> dict:
        """The subject as the platform describes it in a report or signal."""
        subject = {"type": self.type, "external_id": self.external_id, "region": self.region,
                   "reach": self.reach}
        if self.language:
            subject["language"] = self.language
        if self.owner:
            subject["owner"] = {"type": self.owner.type, "external_id": self.owner.external_id}
        return subject


@dataclass
class ReportPlan:
    key: str
    subject: SubjectPlan
    reason: str
    source: str
    reporter: str
    text: str
    age: int

    def as_intake(self) -> dict:
        body = {"idempotency_key": self.key, "subject": self.subject.as_intake(), "reason": self.reason,
                "source": self.source, "reporter_external_id": self.reporter}
        if self.text:
            body["text"] = self.text
        return body


@dataclass
class SignalPlan:
    key: str
    subject: SubjectPlan
    detector: str
    policy: str
    score: float
    age: int

    def as_intake(self) -> dict:
        return {"idempotency_key": self.key, "detector": self.detector, "score": self.score,
                "policy": self.policy, "subject": self.subject.as_intake()}


@dataclass
class World:
    seed: int
    size: str
    history_seconds: int = HISTORY_SECONDS
    accounts: list[SubjectPlan] = field(default_factory=list)
    items: list[SubjectPlan] = field(default_factory=list)
    reports: list[ReportPlan] = field(default_factory=list)
    signals: list[SignalPlan] = field(default_factory=list)

    @property
    def subjects(self) -> list[SubjectPlan]:
        return [*self.accounts, *self.items]

    @property
    def catalogue_seconds(self) -> int:
        return self.history_seconds + DAY


def scale_of(size: str) -> float:
    """`tiny`, `default`, `large`, or a whole number that multiplies the default size."""
    if size in SIZES:
        return SIZES[size]
    if size.isdigit() and int(size) > 0:
        return int(size)
    raise ValueError(f"Unknown size {size!r}: use {', '.join(SIZES)} or a positive whole number.")


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _lorem(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(LOREM) for _ in range(words))


def _first_age(rng: random.Random, mean: float, subject_age: int, history_seconds: int) -> int:
    """When a subject is first noticed: evenly over the history (the steady share), else mostly recently."""
    if rng.random() < STEADY_SHARE:
        return rng.randint(0, min(subject_age, history_seconds))
    return _truncated_age(rng, mean, min(subject_age, RECENT_SECONDS))


def _truncated_age(rng: random.Random, mean: float, cap: float) -> int:
    """An age from an exponential with this mean, cut at `cap`: most activity is recent."""
    if cap <= 0:
        return 0
    return int(-mean * math.log(1 - rng.random() * (1 - math.exp(-cap / mean))))


class Factory:
    """Makes single accounts, items, reports and signals. Shared by the world and the live stream."""

    def __init__(self, rng: random.Random, severities: dict[str, int]):
        self.rng = rng
        self.severities = severities
        codes = set(severities)
        # Only policies the active catalogue has; a kind whose policies are all missing stays clean.
        self.policy_mix = {kind: {code: weight for code, weight in mix.items() if code in codes}
                           for kind, mix in POLICY_MIX.items()}
        self.siblings = {code: sorted(o for o in codes if o != code and _parent(o) == _parent(code))
                         for code in codes}

    # ---- accounts and items ----

    def region(self) -> str:
        return weighted(self.rng, REGION_WEIGHTS)

    def violation(self, kind: str, *, force: bool | None = None) -> str | None:
        mix = self.policy_mix.get(kind)
        violates = self.rng.random() < PREVALENCE[kind] if force is None else force
        return weighted(self.rng, mix) if violates and mix else None

    def account(self, kind: str, number: int, *, tag: str = "") -> SubjectPlan:
        rng = self.rng
        handle = f"{kind}{tag}{number:06d}"
        region = self.region()
        if kind == "creator":
            # Heavy tail: most creators are small, a few reach millions.
            reach = min(80_000_000, int(2000 * rng.paretovariate(0.9)))
            attributes = {"handle": f"@{handle}", "display_name": f"Creator {tag}{number}",
                          "verified": reach >= 100_000, "live_enabled": rng.random() < 0.6}
        elif kind == "merchant":
            reach = int(rng.lognormvariate(5, 1.2))
            category = rng.choice(BUSINESS_CATEGORIES)
            attributes = {
                "business_name": f"Placeholder {category.replace('_', ' ').title()} {tag}{number:04d}",
                "business_category": category, "merchant_stage": weighted(rng, MERCHANT_STAGES),
                # Obviously fake contact details, present so that masking has something to hide.
                "legal_name": f"Demo Trading {tag}{number:04d} Ltd",
                "contact_email": f"{handle}@merchant.example",
                "contact_phone": f"+1-555-01{number % 100:02d}"}
        else:
            reach = int(rng.lognormvariate(3.5, 1.5))
            attributes = {"handle": f"@{handle}", "account_age_days": rng.randint(1, 2500)}
        return SubjectPlan(kind, f"{kind}-{tag}{number:06d}", region, reach, attributes,
                           violation=self.violation(kind))

    def item(self, kind: str, number: int, owner: SubjectPlan, *, tag: str = "",
             violates: bool | None = None) -> SubjectPlan:
        """`violates` forces the ground truth either way; None draws it at the kind's prevalence."""
        rng = self.rng
        label = f"{tag}{number}"
        if kind == "video":
            viral = 20 if rng.random() < 0.02 else 1
            reach = int(max(owner.reach, 50) * rng.lognormvariate(-1, 1.2) * viral)
            attributes = {"caption": f"Clip #{label} — {_lorem(rng, rng.randint(4, 9))}",
                          "duration_seconds": rng.randint(7, 180)}
        elif kind == "comment":
            reach = int(rng.lognormvariate(2, 1.5))
            attributes = {"text": f"Comment #{label} — {_lorem(rng, rng.randint(3, 8))}"}
        elif kind == "livestream":
            reach = int(max(owner.reach, 50) * rng.lognormvariate(-3, 1))
            attributes = {"title": f"LIVE #{label} — placeholder stream", "gifts_enabled": rng.random() < 0.7}
        elif kind == "listing":
            category = owner.attributes.get("business_category", "restaurant")
            reach = int(rng.lognormvariate(5, 1.3))
            attributes = {"title": f"Listing #{label} — {category.replace('_', ' ')} offer (placeholder)",
                          "price": f"{rng.randint(5, 400)}.00",
                          "currency": CURRENCIES.get(owner.region, "USD")}
        elif kind == "poi":
            category = owner.attributes.get("business_category", "restaurant")
            reach = int(rng.lognormvariate(4, 1.2))
            attributes = {"name": f"Placeholder {category.replace('_', ' ')} #{label}",
                          "category": category, "rating": round(rng.uniform(2.5, 5), 1),
                          "review_count": reach}
        else:
            reach = 1
            attributes = {"text": f"Message #{label} — {_lorem(rng, rng.randint(3, 8))}",
                          "thread": f"thread-{tag}{rng.randint(1, 10 ** 6):06d}"}
        return SubjectPlan(kind, f"{kind}-{tag}{number:06d}", owner.region, reach, attributes, owner=owner,
                           violation=self.violation(kind, force=violates))

    # ---- notices ----

    def reason(self, subject: SubjectPlan) -> str:
        """A truthful report names the real policy, sometimes a sibling or the parent; a false one any."""
        if subject.violation is None:
            return weighted(self.rng, self.policy_mix[subject.type])
        roll = self.rng.random()
        siblings = self.siblings.get(subject.violation, [])
        parent = _parent(subject.violation)
        if roll < SIBLING_REASON_SHARE and siblings:
            return self.rng.choice(siblings)
        if roll < SIBLING_REASON_SHARE + PARENT_REASON_SHARE and parent in self.severities:
            return parent
        return subject.violation

    def report(self, key: str, subject: SubjectPlan, age: int, reporters: list[SubjectPlan]) -> ReportPlan:
        rng = self.rng
        source = weighted(rng, TRUE_SOURCES if subject.violation else FALSE_SOURCES)
        if source == "user" and reporters:
            reporter = rng.choice(reporters).external_id
        elif source == "trusted_flagger":
            reporter = f"flagger-{rng.randint(1, 12):02d}"
        elif source == "authority":
            reporter = f"authority-{subject.region}-{rng.randint(1, 3)}"
        else:
            reporter = ("platform-auto-moderation" if source == "automated"
                        else f"user-anon-{rng.randint(1, 99999)}")
        return ReportPlan(key, subject, self.reason(subject), source, reporter, rng.choice(REPORT_TEXTS), age)

    def signal(self, key: str, subject: SubjectPlan, age: int) -> SignalPlan:
        rng = self.rng
        if subject.violation:
            policy = subject.violation
            score = rng.betavariate(5, 2)
        else:
            policy = weighted(rng, self.policy_mix[subject.type])
            score = rng.betavariate(1.5, 6)
        detector = POLICY_DETECTORS.get(policy, DETECTORS.get(subject.type, "risk-rules-v1"))
        return SignalPlan(key, subject, detector, policy, round(score, 4), age)

    def is_urgent(self, report: ReportPlan) -> bool:
        return (report.subject.type == "livestream" or report.source == "authority"
                or self.severities.get(report.reason, 0) >= 5
                or any(report.reason == p or report.reason.startswith(p + ".") for p in URGENT_PREFIXES))


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0]


def generate(*, seed: int, size: str = "default", severities: dict[str, int],
             history_seconds: int = HISTORY_SECONDS) -> World:
    """A whole world. `severities` maps each active policy code to its severity (the catalogue).

    `history_seconds` (at least the recent three days) is how far back the steady flow of reports reaches.
    """
    rng = random.Random(seed)
    factory = Factory(rng, severities)
    scale = scale_of(size)
    counts = {kind: max(2, round(n * scale)) for kind, n in DEFAULT_COUNTS.items()}
    world = World(seed=seed, size=size, history_seconds=max(RECENT_SECONDS, history_seconds))

    by_kind: dict[str, list[SubjectPlan]] = {}
    for kind in ("user", "creator", "merchant"):
        by_kind[kind] = [factory.account(kind, n) for n in range(1, counts[kind] + 1)]
        for account in by_kind[kind]:
            account.age = world.catalogue_seconds
        world.accounts.extend(by_kind[kind])
    for kind, owners in OWNER_TYPES.items():
        for n in range(1, counts[kind] + 1):
            owner = rng.choice(by_kind[weighted(rng, owners)])
            item = factory.item(kind, n, owner)
            # Most of the catalogue was there before the history began; the rest appeared along the way.
            established = rng.random() < ESTABLISHED_SHARE
            item.age = world.catalogue_seconds if established else rng.randint(0, world.catalogue_seconds)
            world.items.append(item)

    _plan_reports(world, factory, max(10, round(DEFAULT_REPORTS * scale)), by_kind["user"])
    _plan_signals(world, factory, max(5, round(DEFAULT_SIGNALS * scale)))
    return world


def _popularity(subject: SubjectPlan) -> float:
    # Popular subjects are seen, and so reported, more often: several reports pile onto one case.
    return (1 + subject.reach) ** 0.3


def _sample(rng: random.Random, violating: list, clean: list, total: int, true_share: float,
            weight=None) -> list[SubjectPlan]:
    """`total` subjects drawn with replacement, about `true_share` of them violating."""
    true_count = 0 if not violating else total if not clean else round(total * true_share)

    def draw(pool: list, k: int) -> list:
        if not pool or k <= 0:
            return []
        return rng.choices(pool, weights=[weight(s) for s in pool] if weight else None, k=k)

    return draw(violating, true_count) + draw(clean, total - true_count)


def _plan_reports(world: World, factory: Factory, total: int, reporters: list[SubjectPlan]) -> None:
    rng = factory.rng
    reportable = [s for s in world.subjects if factory.policy_mix.get(s.type)]
    violating = [s for s in reportable if s.violation]
    clean = [s for s in reportable if not s.violation]
    targets = _sample(rng, violating, clean, total, TRUE_REPORT_SHARE, weight=_popularity)

    by_subject: dict[tuple[str, str], list[SubjectPlan]] = {}
    for subject in targets:
        by_subject.setdefault(subject.key, []).append(subject)
    timed: list[tuple[int, int, ReportPlan]] = []
    for order, mentions in enumerate(by_subject.values()):
        subject = mentions[0]
        reports = [factory.report("", subject, 0, reporters) for _ in mentions]
        mean = URGENT_REPORT_AGE_MEAN if any(factory.is_urgent(r) for r in reports) else REPORT_AGE_MEAN
        first = _first_age(rng, mean, subject.age, world.history_seconds)
        for position, report in enumerate(reports):
            # Follow-ups come after the first report, while the subject is still being seen.
            report.age = first if position == 0 else max(0, first - int(rng.expovariate(1 / FOLLOW_UP_MEAN)))
            timed.append((report.age, order, report))
    timed.sort(key=lambda t: (-t[0], t[1]))
    for number, (_, _, report) in enumerate(timed, start=1):
        report.key = f"world-{world.seed}-r{number:06d}"
    world.reports = [report for _, _, report in timed]


def _plan_signals(world: World, factory: Factory, total: int) -> None:
    rng = factory.rng
    scanned = [s for s in world.items if s.type in DETECTORS and factory.policy_mix.get(s.type)]
    violating = [s for s in scanned if s.violation]
    clean = [s for s in scanned if not s.violation]
    targets = _sample(rng, violating, clean, total, SIGNAL_TRUE_SHARE)
    timed = sorted(((_first_age(rng, REPORT_AGE_MEAN, s.age, world.history_seconds), n, s)
                    for n, s in enumerate(targets)), key=lambda t: (-t[0], t[1]))
    world.signals = [factory.signal(f"world-{world.seed}-s{n:06d}", subject, age)
                     for n, (age, _, subject) in enumerate(timed, start=1)]
