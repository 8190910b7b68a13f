"""The demo vendors' rosters: each site's shifts in its own time zone (Northwind's Manila nights cross
midnight), every agent rostered five days on and two off over last month and this week, and console sessions
that start a little late or leave a little early now and then, so the roster page and the scorecard's
adherence have something to show."""
import random
from datetime import datetime, time, timedelta

from trustops.identity.models import User, Vendor
from trustops.kernel import clock
from trustops.simulation import platform
from trustops.simulation.vendors import VENDOR_OPS
from trustops.workforce.measurement import periods
from trustops.workforce.rosters import services as rosters
from trustops.workforce.rosters.models import RosterEntry

SHIFTS = {
    platform.VENDOR_A: [("manila-night", "Manila night", "Manila", "Asia/Manila", time(22), time(7), 60),
                        ("austin-day", "Austin day", "Austin", "America/Chicago", time(8), time(17), 60)],
    platform.VENDOR_B: [("lisbon-day", "Lisbon day", "Lisbon", "Europe/Lisbon", time(9), time(18), 60),
                        ("jakarta-evening", "Jakarta evening", "Jakarta", "Asia/Jakarta", time(14), time(23), 60)],
}


def seed(*, anchor: datetime, seed: int = 7) -> dict:
    rng = random.Random(seed)
    first = periods.following(anchor.date().replace(day=1), -1)
    last = anchor.date() + timedelta(days=6 - anchor.weekday())
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rostered = 0
    with clock.frozen(anchor):
        ops = User.objects.get(username=VENDOR_OPS)
        for name, shifts in SHIFTS.items():
            vendor = Vendor.objects.get(name=name)
            for key, title, site, zone, start, end, break_minutes in shifts:
                rosters.create_template(actor=ops, vendor_id=vendor.pk, data=rosters.TemplateInput(
                    key=key, name=title, site=site, time_zone=zone, starts_at=start, ends_at=end,
                    unpaid_break_minutes=break_minutes))
            agents = list(User.objects.filter(vendor=vendor, role="vendor_agent", is_active=True).order_by("username"))
            lines = []
            for i, agent in enumerate(agents):
                shift = shifts[i % len(shifts)][0]
                queue = vendor.queues.order_by("key")[i % vendor.queues.count()].key if vendor.queues.exists() else ""
                for day in days:
                    on = (day.toordinal() + i) % 7 < 5
                    lines.append(rosters.RosterLine(agent=agent.username, day=day, shift=shift if on else "off",
                                                    queue=queue if on else ""))
            rostered += len(rosters.set_roster(actor=ops, vendor_id=vendor.pk, lines=lines))
    _sessions(rng, anchor)
    return {"rostered_agent_days": rostered}


def _sessions(rng: random.Random, anchor: datetime) -> None:
    """A console session per worked shift up to the anchor, mostly on time."""
    for entry in (RosterEntry.objects.filter(starts_at__isnull=False, ends_at__lte=anchor)
                  .select_related("agent").order_by("starts_at")):
        if rng.random() < 0.04:
            continue   # absent
        late = timedelta(minutes=rng.choice((0, 0, 0, 2, 4, 12, 25)))
        early = timedelta(minutes=rng.choice((0, 0, 0, 0, 3, 20, 45)))
        with clock.frozen(entry.starts_at - timedelta(minutes=3) + late):
            rosters.open_session(entry.agent)
        with clock.frozen(entry.ends_at - early):
            rosters.close_session(entry.agent)
