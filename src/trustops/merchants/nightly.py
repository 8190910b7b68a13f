"""The nightly recomputation of health, benefits and funds for every merchant, set-based on PostgreSQL.

One statement computes every merchant's figures, score, band (floors and cooldown), payout and reserve from the
daily figures, strikes and licence state into a temporary table, as `health`, `funds` and `services.standing`
do one at a time. Every score and its figures are written by one upsert into the narrow `merchants_health`
table, only where they moved: a score is derived, so it carries no event of its own. The merchants whose band,
cooldown, payout or reserve changed are applied set-based too: their benefits and funds come from the same pure
functions `standing.refresh` uses, and each change is a ledger event with its reason and a message to the
platform, written in batches. Only those carrying a decision on funds or benefits, or holding a licence near or
past expiry, go through `standing.refresh` one by one, which re-derives their licence state and listings as
well. The run records one `merchant.nightly_recomputed` event with its counts and the band changes.

On SQLite (small installs) the same outcome comes one merchant at a time through `standing.refresh`: slower,
same events.
"""
import json
from datetime import timedelta

from django.db import connection, transaction

from trustops.kernel import clock
from trustops.kernel.canonical import canonical_json
from trustops.kernel.database import is_postgres
from trustops.ledger import services as ledger
from trustops.merchants import funds, health, lifecycle
from trustops.merchants.health import FACTORS
from trustops.merchants.models import Merchant
from trustops.merchants.services import standing
from trustops.merchants.services.common import current_rules, entry, message
from trustops.outbox import services as outbox


def _calculation(rules: dict) -> tuple[str, list]:
    h, f = rules["health"], rules["funds"]
    w = h["factors"]
    loss = " + ".join(f"{float(w[n]['weight'])} * LEAST(1.0, GREATEST(0.0, {n}) / {float(w[n]['limit'])})"
                      for n in FACTORS)
    floors = " ".join(
        f"WHEN {name} >= {float(floor['at'])} AND {{order}} < {_order(floor['band'])} THEN '{floor['band']}'"
        for name, floor in (h.get("floors") or {}).items())
    sql = f"""
    WITH metrics AS (
        SELECT merchant_id, SUM(orders) AS orders, SUM(refunds) AS refunds, SUM(chargebacks) AS chargebacks,
               SUM(no_shows) AS no_shows, SUM(complaints) AS complaints, SUM(audits_failed) AS audits,
               SUM(response_minutes) FILTER (WHERE orders > 0) AS response_total,
               COUNT(*) FILTER (WHERE orders > 0) AS response_days
        FROM merchants_dailymetrics WHERE day > %(health_since)s GROUP BY merchant_id),
    money AS (
        SELECT merchant_id, SUM(gross_amount) AS gross, SUM(refund_amount) + SUM(chargeback_amount) AS lost
        FROM merchants_dailymetrics WHERE day > %(funds_since)s GROUP BY merchant_id),
    strikes AS (
        SELECT account_id, COUNT(*) AS n, SUM(points) AS points FROM enforcement_strike
        WHERE reversed_at IS NULL AND expires_at > %(now)s GROUP BY account_id),
    figures AS (
        SELECT m.id, m.status, m.health_band, m.band_since, m.recovering_since,
               m.funds, m.benefits, m.licence_state,
               COALESCE(s.n, 0)::float AS violations, COALESCE(s.points, 0)::float AS strike_points,
               COALESCE(x.complaints::float / NULLIF(x.orders, 0), 0) AS complaints,
               COALESCE(x.refunds::float / NULLIF(x.orders, 0), 0) AS refund_rate,
               COALESCE(x.chargebacks::float / NULLIF(x.orders, 0), 0) AS chargeback_rate,
               COALESCE(x.no_shows::float / NULLIF(x.orders, 0), 0) AS no_show_rate,
               COALESCE(x.response_total::float / NULLIF(x.response_days, 0), 0) AS response_minutes,
               COALESCE(x.audits, 0)::float AS audits_failed,
               CASE WHEN COALESCE(y.gross, 0) <= 0 THEN 0.0
                    ELSE LEAST(1.0, y.lost::float / y.gross::float) END AS exposure
        FROM merchants_merchant m
        LEFT JOIN metrics x ON x.merchant_id = m.id LEFT JOIN money y ON y.merchant_id = m.id
        LEFT JOIN strikes s ON s.account_id = m.account_id
        WHERE m.overrides = '{{}}'::jsonb),
    scored AS (
        SELECT *, GREATEST(0, LEAST(100, ROUND((100 - ({loss}))::numeric)))::int AS score FROM figures),
    raw AS (
        SELECT *, CASE WHEN score >= {float(h['bands']['healthy'])} THEN 'healthy'
                       WHEN score >= {float(h['bands']['at_risk'])} THEN 'at_risk' ELSE 'critical' END AS by_score
        FROM scored),
    floored AS (
        SELECT *, CASE {floors.format(order=_order_sql('by_score'))} ELSE by_score END AS floored FROM raw),
    statused AS (
        SELECT *, CASE WHEN status = 'suspended' THEN 'critical'
                       WHEN status = 'restricted' AND floored = 'healthy' THEN 'at_risk'
                       ELSE floored END AS raw_band FROM floored),
    banded AS (
        SELECT *,
          CASE WHEN band_since IS NULL OR {_order_sql('raw_band')} > {_order_sql('health_band')} THEN raw_band
               WHEN raw_band = health_band THEN health_band
               WHEN %(now)s - COALESCE(recovering_since, %(now)s) >= %(cooldown)s THEN raw_band
               ELSE health_band END AS band,
          CASE WHEN band_since IS NULL OR {_order_sql('raw_band')} > {_order_sql('health_band')} THEN NULL
               WHEN raw_band = health_band THEN NULL
               WHEN %(now)s - COALESCE(recovering_since, %(now)s) >= %(cooldown)s THEN NULL
               ELSE COALESCE(recovering_since, %(now)s) END AS recovering
        FROM statused),
    paid AS (
        SELECT *, ((%(payouts)s::jsonb) ->> band) AS band_payout,
               COALESCE(licence_state ->> 'payout', 'normal') AS licence_payout,
               CASE WHEN band = 'healthy' AND exposure < {float(f['reserve_threshold'])} THEN 0
                    ELSE LEAST({float(f['reserve_cap_percent'])},
                               CEIL(exposure * {float(f['reserve_multiplier'])} * 100))::int END AS reserve
        FROM banded)
    SELECT id, score, raw_band, band, recovering, band_payout, licence_payout, reserve,
           CASE WHEN reserve > 0 THEN ((%(reserve_days)s::jsonb) ->> band)::int ELSE 0 END AS release_days,
           ROUND(exposure::numeric, 4)::float AS exposure, exposure::float AS exposure_rate,
           {", ".join(f"ROUND({n}::numeric, 4)::float AS {n}" for n in FACTORS)}
    FROM paid
    """
    params = {"now": clock.now(), "cooldown": timedelta(days=h["cooldown_days"]),
              "health_since": (clock.now() - timedelta(days=h["window_days"])).date(),
              "funds_since": (clock.now() - timedelta(days=f["window_days"])).date(),
              "payouts": canonical_json(f["payout"]), "reserve_days": canonical_json(f["reserve_days"])}
    return sql, params


ORDER = {"healthy": 0, "at_risk": 1, "critical": 2}


def _order(band: str) -> int:
    return ORDER[band]


def _order_sql(column: str) -> str:
    return f"(CASE {column} WHEN 'healthy' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END)"


def compute(rules: dict | None = None) -> str:
    """Fill the temporary table `merchant_nightly` with every merchant's outcome; returns its name."""
    sql, params = _calculation(rules or current_rules())
    with connection.cursor() as cursor:
        # The statement is one scan of each table; compiling its many expressions would cost more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS merchant_nightly, merchant_moved")
        cursor.execute(f"CREATE TEMPORARY TABLE merchant_nightly ON COMMIT DROP AS {sql}", params)
    return "merchant_nightly"


@transaction.atomic
def run() -> dict:
    """The nightly pass, one transaction: set-based on PostgreSQL, one merchant at a time elsewhere."""
    tally = Tally()
    if is_postgres():
        rules = current_rules()
        compute(rules)
        outcome = _apply(rules, tally)
    else:
        outcome = {}
        for merchant in Merchant.objects.select_for_update().order_by("pk").iterator(chunk_size=500):
            tally.refresh(merchant)
    outcome = {"merchants": Merchant.objects.count(), **outcome, **tally.counts()}
    ledger.record("merchant.nightly_recomputed", actor="nightly", payload=outcome)
    return outcome


class Tally:
    """What tonight changed, for the run's event: merchants through `standing.refresh` and those applied
    set-based alike."""

    def __init__(self):
        self.refreshed = self.applied = self.scores_changed = self.benefits_changed = self.funds_changed = 0
        self.bands: dict[str, int] = {}

    def note(self, band: tuple[str, str], benefits_changed: bool, funds_changed: bool) -> None:
        if band[0] != band[1]:
            move = f"{band[0]}->{band[1]}"
            self.bands[move] = self.bands.get(move, 0) + 1
        self.benefits_changed += benefits_changed
        self.funds_changed += funds_changed

    def refresh(self, merchant: Merchant) -> None:
        before = (merchant.health_score, merchant.health_band, merchant.benefits, merchant.funds)
        standing.refresh(merchant, actor="nightly", score_event=False)
        self.refreshed += 1
        self.scores_changed += merchant.health_score != before[0]
        self.note((before[1], merchant.health_band), merchant.benefits != before[2], merchant.funds != before[3])

    def counts(self) -> dict:
        return {"refreshed": self.refreshed, "applied_set_based": self.applied, "scores_changed": self.scores_changed,
                "band_changes": dict(sorted(self.bands.items())), "benefits_changed": self.benefits_changed,
                "funds_changed": self.funds_changed}


def _apply(rules: dict, tally: Tally) -> dict:
    """Every score and its figures are upserted where they moved, in one statement. The merchants whose band,
    cooldown, payout or reserve changed are applied set-based with their events and messages (`_apply_moved`);
    those carrying a decision, or whose licences are near or past expiry, go through `standing.refresh`, which
    also re-derives their licence state and listings."""
    severity = "(CASE {0} WHEN 'held' THEN 2 WHEN 'delayed' THEN 1 ELSE 0 END)"
    payout = (f"(CASE WHEN m.status IN ('suspended', 'offboarding') THEN 'held' "
              f"WHEN {severity.format('n.licence_payout')} > {severity.format('n.band_payout')} "
              f"THEN n.licence_payout ELSE n.band_payout END)")
    figures = ", ".join(FACTORS)
    today = clock.now().date()
    selling = ", ".join(f"'{s}'" for s in lifecycle.SELLING)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE TEMPORARY TABLE merchant_moved ON COMMIT DROP AS
            SELECT m.id, (EXISTS (SELECT 1 FROM merchants_qualification q WHERE q.merchant_id = m.id
                                  AND q.status = 'approved' AND q.expires_on BETWEEN %(lapsed)s AND %(horizon)s)
                          OR (m.status IN ({selling})
                              AND COALESCE(m.licence_state -> 'withdrawn_categories', '[]'::jsonb) <> '[]'::jsonb)
                         ) AS slow
            FROM merchants_merchant m JOIN merchant_nightly n ON n.id = m.id
            WHERE n.band <> m.health_band OR m.band_since IS NULL
               OR n.recovering IS DISTINCT FROM m.recovering_since
               OR COALESCE(m.funds ->> 'payout', '') <> {payout}
               OR COALESCE((m.funds ->> 'reserve_percent')::int, -1) <> n.reserve
               OR COALESCE((m.funds ->> 'release_days')::int, -1) <> n.release_days
            UNION SELECT id, true FROM merchants_merchant WHERE overrides <> '{{}}'::jsonb""",
                       {"lapsed": today - timedelta(days=60), "horizon": today + timedelta(days=31)})
        cursor.execute(f"""
            WITH changed AS (
                SELECT n.id, n.score, {", ".join(f"n.{f}" for f in FACTORS)}, h.score AS before
                FROM merchant_nightly n LEFT JOIN merchants_health h ON h.merchant_id = n.id
                WHERE NOT EXISTS (SELECT 1 FROM merchant_moved x WHERE x.id = n.id AND x.slow)
                  AND (h.merchant_id IS NULL OR (h.score, {", ".join(f"h.{f}" for f in FACTORS)})
                       IS DISTINCT FROM (n.score, {", ".join(f"n.{f}" for f in FACTORS)}))),
            written AS (
                INSERT INTO merchants_health (merchant_id, score, {figures})
                SELECT id, score, {figures} FROM changed
                ON CONFLICT (merchant_id) DO UPDATE SET score = EXCLUDED.score,
                    {", ".join(f"{f} = EXCLUDED.{f}" for f in FACTORS)}
                RETURNING 1)
            SELECT (SELECT COUNT(*) FROM written), (SELECT COUNT(*) FROM changed WHERE before IS DISTINCT FROM score)
            """)
        written, rescored = cursor.fetchone()
        cursor.execute("SELECT id FROM merchant_moved WHERE slow ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    _apply_moved(rules, tally)
    for merchant in Merchant.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        tally.refresh(merchant)
    tally.scores_changed += rescored
    return {"health_rows_written": written}


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def _apply_moved(rules: dict, tally: Tally) -> None:
    """Band, benefits and funds of the moved merchants without a decision or a licence due, as `standing.refresh`
    derives them (the same pure functions over tonight's figures and the stored licence state), with the same
    events and messages: written with one update, one batch of ledger events and one batch of messages per kind."""
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT m.id, m.external_id, m.account_id, m.region, m.status, m.health_band, m.band_since,
                   m.recovering_since, m.benefits, m.funds, m.licence_state, n.score, n.raw_band, n.exposure_rate
            FROM merchant_moved x JOIN merchants_merchant m ON m.id = x.id JOIN merchant_nightly n ON n.id = x.id
            WHERE NOT x.slow ORDER BY m.id FOR UPDATE OF m""")
        rows = cursor.fetchall()
    entries, told, updates = [], {"merchant.benefits_changed": [], "merchant.funds_changed": []}, []
    for (pk, external_id, account_id, region, status, band, band_since, recovering_since, benefits_before,
         funds_before, licence, value, raw, exposure_rate) in rows:
        benefits_before, funds_before, licence = _json(benefits_before), _json(funds_before), _json(licence)
        state = health.next_band(health.BandState(band, band_since, recovering_since), raw, now,
                                 rules["health"]["cooldown_days"])
        selling = status in lifecycle.SELLING
        withdrawn = list(licence.get("withdrawn_categories", []))

        merchant = Merchant(pk=pk, external_id=external_id, account_id=account_id, region=region, status=status)
        if state.band != band:
            entries.append(entry("merchant.band_changed", merchant, before=band, after=state.band, score=value,
                                 reason=standing.band_reason(value, status)))
        benefits = funds.benefits_for(band=state.band, selling=selling, withdrawn_categories=withdrawn,
                                      overrides={}, rules=rules["benefits"])
        money, reasons = funds.funds_for(band=state.band, status=status,
                                         licence_payout=licence.get("payout", "normal"),
                                         exposure_rate=exposure_rate, overrides={}, rules=rules["funds"])
        money["reasons"] = reasons
        if benefits != benefits_before:
            why = standing.benefits_reason(state.band, withdrawn, selling, status)
            entries.append(entry("merchant.benefits_changed", merchant, before=benefits_before, after=benefits,
                                 reason=why))
            told["merchant.benefits_changed"].append(message(merchant, benefits=benefits, reason=why))
        if money != funds_before:
            entries.append(entry("merchant.funds_changed", merchant, before=funds_before, after=money,
                                 reason=standing.funds_reason(reasons)))
            told["merchant.funds_changed"].append(message(merchant, funds=money))
        tally.applied += 1
        tally.note((band, state.band), benefits != benefits_before, money != funds_before)
        updates.append((pk, state.band, state.band_since, state.recovering_since, canonical_json(benefits),
                        canonical_json(money)))
    if not updates:
        return
    columns = list(zip(*updates))
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE merchants_merchant m SET health_band = u.band, band_since = u.since,
                   recovering_since = u.recovering, benefits = u.benefits, funds = u.funds, updated_at = %s
            FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[], %s::jsonb[], %s::jsonb[])
                 AS u(id, band, since, recovering, benefits, funds)
            WHERE m.id = u.id""", [now, *map(list, columns)])
    ledger.record_many(entries, actor="nightly")
    for kind, payloads in told.items():
        if payloads:
            outbox.enqueue_many(kind, payloads)
