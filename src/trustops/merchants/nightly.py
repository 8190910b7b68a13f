"""The nightly recomputation of health, benefits and funds for every merchant, set-based on PostgreSQL.

One statement computes every merchant's figures, score, band (floors and cooldown), payout and reserve from the
daily figures, strikes and licence state, as `health`, `funds` and `services.standing` do one at a time. Scores
that moved are written by one UPDATE; the few merchants whose band, cooldown, payout or reserve changed go
through `standing.refresh`, which records each change with its reason and tells the platform. Merchants carrying
a decision on funds or benefits are few and go through it too. On SQLite every merchant goes through it.
"""
from datetime import timedelta

from django.db import connection, transaction

from trustops.kernel import clock
from trustops.kernel.canonical import canonical_json
from trustops.kernel.database import is_postgres
from trustops.merchants.models import Merchant
from trustops.merchants.services import standing
from trustops.merchants.services.common import current_rules

FACTORS = ("violations", "strike_points", "complaints", "refund_rate", "chargeback_rate", "no_show_rate",
           "response_minutes", "audits_failed")


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
        SELECT m.id, m.status, m.health_score, m.health_band, m.band_since, m.recovering_since,
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
    SELECT id, score, band, recovering, band_payout, licence_payout, reserve,
           CASE WHEN reserve > 0 THEN ((%(reserve_days)s::jsonb) ->> band)::int ELSE 0 END AS release_days,
           ROUND(exposure::numeric, 4)::float AS exposure,
           {", ".join(FACTORS)}
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
        cursor.execute("DROP TABLE IF EXISTS merchant_nightly")
        cursor.execute(f"CREATE TEMPORARY TABLE merchant_nightly ON COMMIT DROP AS {sql}", params)
    return "merchant_nightly"


def run() -> dict:
    """The nightly pass: set-based on PostgreSQL, one merchant at a time elsewhere."""
    if not is_postgres():
        done = 0
        for merchant_id in Merchant.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                standing.refresh(Merchant.objects.select_for_update().get(pk=merchant_id), actor="nightly")
            done += 1
        return {"merchants": done}
    rules = current_rules()
    with transaction.atomic():
        compute(rules)
        changed = _apply(rules)
        changed["merchants"] = Merchant.objects.count()
    decided = list(Merchant.objects.exclude(overrides={}).values_list("pk", flat=True))
    for merchant_id in decided:
        with transaction.atomic():
            standing.refresh(Merchant.objects.select_for_update().get(pk=merchant_id), actor="nightly")
    return {**changed, "with_decisions": len(decided)}


def _contributions(rules: dict) -> str:
    w = rules["health"]["factors"]
    return "jsonb_build_array(" + ", ".join(
        f"jsonb_build_object('factor', '{n}', 'value', ROUND(n.{n}::numeric, 4), 'points', "
        f"-ROUND(({float(w[n]['weight'])} * LEAST(1.0, GREATEST(0.0, n.{n}) / {float(w[n]['limit'])}))::numeric, 2), "
        f"'weight', {w[n]['weight']}, 'limit', {w[n]['limit']})" for n in FACTORS) + ")"


def _apply(rules: dict) -> dict:
    """Scores that moved are written in bulk (a score is derived; its band, benefits and funds carry the
    events). Merchants whose band, cooldown, payout or reserve changed are few: they go through
    `standing.refresh`, which writes each change with its reason and tells the platform."""
    severity = "(CASE {0} WHEN 'held' THEN 2 WHEN 'delayed' THEN 1 ELSE 0 END)"
    payout = (f"(CASE WHEN m.status IN ('suspended', 'offboarding') THEN 'held' "
              f"WHEN {severity.format('n.licence_payout')} > {severity.format('n.band_payout')} "
              f"THEN n.licence_payout ELSE n.band_payout END)")
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT m.id FROM merchants_merchant m JOIN merchant_nightly n ON n.id = m.id
            WHERE n.band <> m.health_band OR n.recovering IS DISTINCT FROM m.recovering_since
               OR COALESCE(m.funds ->> 'payout', '') <> {payout}
               OR COALESCE((m.funds ->> 'reserve_percent')::int, -1) <> n.reserve
               OR COALESCE((m.funds ->> 'release_days')::int, -1) <> n.release_days""")
        moved = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"""
            UPDATE merchants_merchant m SET health_score = n.score, contributions = {_contributions(rules)},
                   updated_at = %s
            FROM merchant_nightly n
            WHERE n.id = m.id AND n.score <> m.health_score AND m.id <> ALL(%s)""", [clock.now(), moved])
        rescored = cursor.rowcount
    for merchant in Merchant.objects.select_for_update().filter(pk__in=moved).order_by("pk"):
        standing.refresh(merchant, actor="nightly")
    return {"rescored": rescored, "moved": len(moved)}
