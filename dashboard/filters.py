"""The overview's filters, read from the URL (so a view can be shared) and handed to the
figures as tracking.reads.Filters, the one filter type every read takes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from tracking.reads import Filters, Who

PRESETS = (7, 30, 90)
DEFAULT_PRESET = 30
MAX_DAYS = 366  # a custom range of up to one year


@dataclass(frozen=True)
class DashboardFilters:
    start: date  # first UTC day, inclusive
    end: date  # last UTC day, inclusive
    preset: int | None = DEFAULT_PRESET
    repo: str = ""
    member: uuid.UUID | None = None
    primary: bool = False
    extensions: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def metric(self) -> Filters:
        return Filters(
            start=datetime.combine(self.start, time.min, tzinfo=UTC),
            end=datetime.combine(self.end, time.max, tzinfo=UTC),
            who=Who(uuid=self.member) if self.member else None,
            repo_name=self.repo or None,
            primary_branch_only=self.primary,
            file_extensions=self.extensions,
        )

    def previous(self) -> DashboardFilters:
        """The window of equal length just before this one, same other filters."""
        length = timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length, preset=None)

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


def _dates(query, today: date, errors: list[str]) -> tuple[date, date, int | None]:
    raw_range = query.get("range", "").strip()
    if raw_range.isdigit() and int(raw_range) in PRESETS:
        n = int(raw_range)
        return today - timedelta(days=n - 1), today, n
    if raw_range:
        errors.append(f"Unknown date range {raw_range!r}: showing the last {DEFAULT_PRESET} days.")
    elif query.get("start") or query.get("end"):
        try:
            start = date.fromisoformat(query.get("start", "").strip())
            end = date.fromisoformat(query.get("end", "").strip() or today.isoformat())
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
    n = DEFAULT_PRESET
    return today - timedelta(days=n - 1), today, n


def parse_filters(query, *, today: date) -> tuple[DashboardFilters, list[str]]:
    """Filters from a QueryDict; a bad value is dropped with a message, never a 400."""
    errors: list[str] = []
    start, end, preset = _dates(query, today, errors)
    member = None
    if raw := query.get("member", "").strip():
        try:
            member = uuid.UUID(raw)
        except ValueError:
            errors.append("Unknown member: showing everyone.")
    extensions = tuple(
        sorted({_extension(part) for part in query.get("ext", "").split(",") if part.strip()})
    )
    filters = DashboardFilters(
        start=start,
        end=end,
        preset=preset,
        repo=query.get("repo", "").strip()[:255],
        member=member,
        primary=query.get("primary", "") in ("1", "true", "on"),
        extensions=extensions,
    )
    return filters, errors
