"""The overview's filters, read from the URL (so a view can be shared) and handed to the
figures as tracking.reads.Filters, the one filter type every read takes.

Windows are whole days that have ended: "7 days" is the seven days before today, compared with
the seven days before those (a window ending with today, a day still running, would compare a
partial day with a whole one: every trend fell). "Today so far" is a window of its own, compared
like for like with yesterday until the same time. A custom range that includes today is compared
the same way (the previous window ends as long before now as the window is long), and the page
says so. Days begin at midnight in the team's time zone (Team.time_zone, UTC by default).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tracking import daterange
from tracking.reads import Filters, Who

PRESETS = (7, 30, 90)
TODAY = "today"
DEFAULT_PRESET = 30
MAX_DAYS = 366  # a custom range of up to one year
# The days the dashboard can show: the one supported range of records and windows.
FIRST_DAY, LAST_DAY = daterange.EARLIEST_DAY, daterange.LATEST_DAY
MAX_TEXT = 255


@dataclass(frozen=True)
class DashboardFilters:
    start: date  # first UTC day, inclusive
    end: date  # last UTC day, inclusive
    preset: int | str | None = DEFAULT_PRESET
    repo: str = ""
    member: uuid.UUID | None = None
    primary: bool = False
    extensions: tuple[str, ...] = ()
    model: str = ""
    tool: str = ""  # commit attribution: the AI tool (docs/tools.md)
    # The moment the window stops when it includes today (a day still running): the previous
    # window stops as long before (`cut`). The window itself reads today whole, which is the
    # same as "until now" (nothing is recorded in the future) and reads the day summaries.
    until: datetime | None = None
    cut: bool = False
    zone: str = "UTC"  # the team's time zone: where its days begin

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def partial(self) -> bool:
        """The window ends with a day still running (compared like for like)."""
        return self.until is not None

    def metric(self) -> Filters:
        zone = UTC if self.zone == "UTC" else ZoneInfo(self.zone)
        end = datetime.combine(self.end, time.max, tzinfo=zone)
        if self.until is not None and self.cut:
            end = min(end, self.until)
        return Filters(
            start=datetime.combine(self.start, time.min, tzinfo=zone),
            end=end,
            time_zone=self.zone,
            who=Who(uuid=self.member) if self.member else None,
            repo_name=self.repo or None,
            primary_branch_only=self.primary,
            file_extensions=self.extensions,
            model=self.model or None,
            tool=self.tool or None,
        )

    def previous(self) -> DashboardFilters:
        """The window of equal length just before this one, same other filters (a window
        that stops now: the one that stopped as long before now)."""
        length = timedelta(days=self.days)
        return replace(
            self,
            start=self.start - length,
            end=self.end - length,
            preset=None,
            until=None if self.until is None else self.until - length,
            cut=self.until is not None,
        )

    def has_previous(self) -> bool:
        return self.start - timedelta(days=self.days) >= FIRST_DAY

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def params(self, **overrides) -> dict[str, str]:
        """The URL parameters that reproduce these filters (with overrides, e.g. range=7)."""
        out: dict[str, str] = {}
        if self.preset:
            out["range"] = str(self.preset)
        else:
            out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        if self.repo:
            out["repo"] = self.repo
        if self.member:
            out["member"] = str(self.member)
        if self.primary:
            out["primary"] = "1"
        if self.extensions:
            out["ext"] = ",".join(self.extensions)
        if self.model:
            out["model"] = self.model
        if self.tool:
            out["tool"] = self.tool
        for key, value in overrides.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = str(value)
        if "range" in overrides and overrides["range"] is not None:
            out.pop("start", None)
            out.pop("end", None)
        return out

    def query(self, **overrides) -> str:
        return urlencode(self.params(**overrides))


def _extension(value: str) -> str:
    value = value.strip().lower()
    return value if value.startswith(".") else f".{value}"


def _preset(n: int, today: date) -> tuple[date, date]:
    """The last n whole days: the n days before today."""
    return today - timedelta(days=n), today - timedelta(days=1)


def _day(raw: str) -> date:
    value = date.fromisoformat(raw)
    if not FIRST_DAY <= value <= LAST_DAY:
        raise OverflowError(value)
    return value


def _dates(query, today: date, errors: list[str]) -> tuple[date, date, int | str | None]:
    raw_range = query.get("range", "").strip()
    if raw_range == TODAY:
        return today, today, TODAY
    if raw_range.isdigit() and int(raw_range) in PRESETS:
        n = int(raw_range)
        return (*_preset(n, today), n)
    if raw_range:
        errors.append(
            f"Unknown date range {raw_range[:20]!r}: showing the last {DEFAULT_PRESET} days."
        )
    elif query.get("start") or query.get("end"):
        try:
            start = _day(query.get("start", "").strip())
            end = _day(query.get("end", "").strip() or today.isoformat())
        except OverflowError:
            errors.append(
                f"Dates go from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}: showing "
                f"the last {DEFAULT_PRESET} days."
            )
        except ValueError:
            errors.append("Dates are YYYY-MM-DD: showing the last 30 days.")
        else:
            if start > end:
                errors.append("The start is after the end: the two are swapped.")
                start, end = end, start
            if (end - start).days + 1 > MAX_DAYS:
                errors.append(f"A custom range is at most {MAX_DAYS} days: shortened.")
                start = end - timedelta(days=MAX_DAYS - 1)
            return start, end, None
    return (*_preset(DEFAULT_PRESET, today), DEFAULT_PRESET)


def _text(query, name: str, label: str, errors: list[str]) -> str:
    """A free-text filter: at most MAX_TEXT characters, no control characters (a NUL is
    refused by PostgreSQL)."""
    value = query.get(name, "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        errors.append(f"The {label} filter has control characters: not filtered by {label}.")
        return ""
    if len(value) > MAX_TEXT:
        errors.append(f"The {label} filter is over {MAX_TEXT} characters: not filtered by {label}.")
        return ""
    return value


def parse_filters(query, *, today: date | None = None, now: datetime | None = None, zone="UTC"):
    """Filters from a QueryDict; a bad value is dropped with a message, never a 400.

    `now` (default: the end of `today`) is where a window that includes today stops; `today`
    (default: now's day) is a day of `zone`, the team's time zone."""
    errors: list[str] = []
    if today is None:
        today = now.astimezone(UTC if zone == "UTC" else ZoneInfo(zone)).date()
    start, end, preset = _dates(query, today, errors)
    member = None
    if raw := query.get("member", "").strip():
        try:
            member = uuid.UUID(raw)
        except ValueError:
            errors.append("Unknown member: showing everyone.")
    raw_ext = _text(query, "ext", "extension", errors)
    extensions = tuple(sorted({_extension(part) for part in raw_ext.split(",") if part.strip()}))
    if any(len(ext) > 32 for ext in extensions):
        errors.append("A file extension is at most 32 characters: not filtered by extension.")
        extensions = ()
    if now is None:
        now = datetime.combine(today, time.max, tzinfo=UTC)
    filters = DashboardFilters(
        start=start,
        end=end,
        preset=preset,
        repo=_text(query, "repo", "repository", errors),
        member=member,
        primary=query.get("primary", "") in ("1", "true", "on"),
        extensions=extensions,
        model=_text(query, "model", "model", errors),
        tool=_text(query, "tool", "tool", errors).lower(),
        until=now if end >= today else None,
        zone=zone,
    )
    return filters, errors
