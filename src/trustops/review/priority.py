"""How urgent a case is: a 0–1000 score from what is known about it. Pure, so it is easy to reason about."""
import math
from dataclasses import dataclass

# How much a notice from each source is trusted (an authority order outranks an anonymous user report).
SOURCE_TRUST = {"user": 0.2, "automated": 0.4, "internal": 0.6, "trusted_flagger": 0.8, "authority": 1.0}


@dataclass(frozen=True)
class PriorityInputs:
    severity: int            # 1..5, the most severe policy reported
    notice_count: int        # reports and signals attached
    max_source_trust: float  # 0..1
    reach: int               # followers or views of the subject
    waited_hours: float      # how long the case has waited: old cases rise, nothing starves


def priority(p: PriorityInputs) -> int:
    severity = 80 * max(1, min(5, p.severity))                              # 80..400
    trust = 200 * max(0.0, min(1.0, p.max_source_trust))                    # 0..200
    volume = min(150, 50 * math.log2(max(1, p.notice_count)))               # 0..150 (saturates at 8)
    reach = min(150, 25 * math.log10(max(0, p.reach) + 1))                   # 0..150 (saturates at 1M)
    age = min(100, 2 * max(0.0, p.waited_hours))                            # 0..100 (saturates at 50 h)
    return int(round(min(1000, severity + trust + volume + reach + age)))
