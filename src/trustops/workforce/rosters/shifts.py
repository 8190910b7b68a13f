"""Pure shift arithmetic: a template's local times on a local day, as UTC instants."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name; None for anything else (a region's folder such as "America", a path)."""
    return ZoneInfo(name) if name in _known() else None


def _known() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


def crosses_midnight(starts_at: time, ends_at: time) -> bool:
    return ends_at < starts_at


def resolve(day: date, starts_at: time, ends_at: time, time_zone: str) -> tuple[datetime, datetime]:
    """The shift's start and end in UTC. An end earlier than the start is on the next local day; local times
    are read in the site's zone on that day, so a night across a daylight-saving change is an hour longer or
    shorter, as it is worked."""
    tz = ZoneInfo(time_zone)
    end_day = day + timedelta(days=1) if crosses_midnight(starts_at, ends_at) else day
    start = datetime.combine(day, starts_at, tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(end_day, ends_at, tzinfo=tz).astimezone(timezone.utc)
    return start, end
