"""Copper dates to ISO 8601 and back, in the account's time zone.

Copper stores most dates as Unix seconds and an opportunity's close_date as "M/D/YYYY". Models
read and write ISO 8601. A date or time without a zone is read in the account's zone, never in
the server's, so a due date does not move by a day when the server runs in UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import TypeGuard
from zoneinfo import ZoneInfo

from copper_mcp.core.errors import InputError

MDY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
DIGITS = re.compile(r"^\s*-?\d+\s*$")
EXAMPLES = "use ISO 8601, e.g. 2026-12-05 or 2026-12-05T14:30:00-05:00"


def _moment(seconds: float, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, zone)
    except (OverflowError, OSError, ValueError):  # beyond the calendar (year 10000, NaN) or the platform
        return None


def iso_from_unix(seconds: float, zone: ZoneInfo) -> str | None:
    """Unix seconds -> ISO date-time with the account zone's offset; None if no calendar date."""
    moment = _moment(seconds, zone)
    return moment.isoformat() if moment else None


def iso_date_from_unix(seconds: float, zone: ZoneInfo) -> str | None:
    """Unix seconds -> ISO calendar date in the account zone; None if no calendar date."""
    moment = _moment(seconds, zone)
    return moment.date().isoformat() if moment else None


def iso_from_mdy(text: str) -> str | None:
    """Copper's "M/D/YYYY" -> "YYYY-MM-DD", or None if text is not such a date."""
    parsed = _mdy(text)
    return parsed.isoformat() if parsed else None


def is_unix(value: object) -> TypeGuard[int | float]:
    """True for a number that can be Unix seconds (bools are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def unix_from_input(name: str, value: object, zone: ZoneInfo, *, end_of_day: bool = False) -> tuple[int, str | None]:
    """A model's date for a Unix field -> (Unix seconds, note or None).

    Accepts Unix seconds, an ISO date or an ISO date-time. A bare date is midnight in the account
    zone, or the last second of that day when end_of_day (an upper search bound, so the day is
    included). Anything read in the account zone gets a note saying so. Seconds that no
    calendar date matches are refused: Copper would store them and no one could read them back.
    """
    if is_unix(value) or (isinstance(value, str) and DIGITS.match(value)):
        seconds = _number(value)
        if seconds is None or _moment(seconds, zone) is None:
            raise _unreadable(name, value)
        return seconds, None
    if not isinstance(value, str):
        raise _unreadable(name, value)
    day = _iso_date(value)
    if day is not None:
        try:
            moment = datetime.combine(day, time(), zone)
            if end_of_day:
                moment = datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(seconds=1)
        except OverflowError:  # the last day of year 9999 has no next day
            raise _unreadable(name, value) from None
        seconds = int(moment.timestamp())
        return seconds, f"{name}: {value.strip()} read as {zone.key} ({moment.isoformat()})"
    moment = _iso_datetime(name, value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
        return int(moment.timestamp()), f"{name}: {value.strip()} read as {zone.key} ({moment.isoformat()})"
    return int(moment.timestamp()), None


def mdy_from_input(name: str, value: object, zone: ZoneInfo) -> tuple[str, str | None]:
    """A model's date for close_date -> ("M/D/YYYY", note or None).

    A date-time is reduced to its calendar date in the account zone (with a note); Unix seconds
    likewise; "M/D/YYYY" passes through.
    """
    if isinstance(value, str):
        day = _mdy(value) or _iso_date(value)
        if day is not None:
            return _format_mdy(day), None
        moment = _iso_datetime(name, value)
        local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
        day = local.date()
    else:
        seconds = _number(value) if is_unix(value) else None
        found = _moment(seconds, zone) if seconds is not None else None
        if found is None:
            raise _unreadable(name, value)
        day = found.date()
    return _format_mdy(day), f"{name}: {value} kept as the date {day.isoformat()} in {zone.key}"


def _number(value: int | float | str) -> int | None:
    """Whole seconds from a number or digits; None for NaN and infinities."""
    try:
        return int(value)
    except (ValueError, OverflowError):
        return None


def _format_mdy(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _mdy(text: str) -> date | None:
    match = MDY.match(text)
    if not match:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso_date(text: str) -> date | None:
    stripped = text.strip()
    # date.fromisoformat also takes "20261205" and week dates; only the common form counts here.
    if len(stripped) != 10:
        return None
    try:
        return date.fromisoformat(stripped)
    except ValueError:
        return None


def _iso_datetime(name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise _unreadable(name, text) from None


def _unreadable(name: str, value: object) -> InputError:
    return InputError(f"{name}: cannot read {value!r} as a date; {EXAMPLES}.", field=name)
