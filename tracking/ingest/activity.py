"""Editor activity records through the one ingest service: Cursor's Admin API daily usage rows
and usage events, in Cursor's own shapes (docs/ingestion.md, "Editor activity").

`stream_ingest(kind=CURSOR_DAILY_USAGE | CURSOR_USAGE_EVENTS)` validates each record here
(`parse_record`: every problem named by field, unknown fields refused) and writes a batch here
(`write_batch`), in the service's transaction like every other kind:

- a daily usage row becomes the member's Cursor day total (`ActivityDay`, every dimension "")
  plus one row per feature that has counts (tab, apply, composer, chat, agent, cmdk, bugbot);
  the record as received is kept on the total row, which Cursor's daily-usage-data serves;
- a usage event is stored as sent (`UsageEvent`), and the per-model day sums of the events
  (`ActivityDay`, grouping set "by model") of every member and day the batch touched are
  rebuilt from the stored events.

Re-sending identical records writes nothing and counts nothing, as for the other kinds.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError

from common.db import copy_rows
from teams.models import Team
from tracking.ingest import fields as f
from tracking.ingest import jsonfast
from tracking.ingest.records import Record, RecordInvalid, _Fields
from tracking.ingest.writers import WriteRace, Written
from tracking.models import ActivityDay, Tool, UsageEvent

CURSOR_DAILY_USAGE = "cursor-daily-usage"
CURSOR_USAGE_EVENTS = "cursor-usage-events"
KIND_NAMES = (CURSOR_DAILY_USAGE, CURSOR_USAGE_EVENTS)
# The record formats, kept with each row (`source_schema`): the shapes of Cursor's Admin API
# pages as documented in December 2026.
DAILY_SCHEMA = "cursor.admin.daily-usage-data.v1"
EVENTS_SCHEMA = "cursor.admin.filtered-usage-events.v1"

DAILY_COUNTS = (
    "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
    "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
    "composerRequests", "chatRequests", "agentRequests", "cmdkUsages",
    "subscriptionIncludedReqs", "apiKeyReqs", "usageBasedReqs", "bugbotUsages",
)  # fmt: skip
DAILY_TEXTS = ("mostUsedModel", "applyMostUsedExtension", "tabMostUsedExtension", "clientVersion")
# userId: Cursor's own id of the user (kept in the record, not used: members are by email).
DAILY_FIELDS = frozenset(
    {*DAILY_COUNTS, *DAILY_TEXTS, "date", "day", "isActive", "email", "userEmail", "userId"}
    | {"userName"}
)
TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens")
# Fields of Cursor's usage events beyond the documented ones that real answers carry (seen in
# Apache DevLake's fixtures): accepted and served back as sent.
EVENT_EXTRAS = {
    "kindLabel": "text", "chargedCents": "amount", "cursorTokenFee": "amount",
    "isChargeable": "boolean", "isHeadless": "boolean", "conversationId": "text",
    "serviceAccountId": "text", "hostingType": "text",
}  # fmt: skip
EVENT_FIELDS = frozenset(
    {"timestamp", "model", "kind", "maxMode", "requestsCosts", "isTokenBasedCall"}
    | {"tokenUsage", "isFreeBugbot", "userEmail", "userName", *EVENT_EXTRAS}
)
MAX_AMOUNT = 999_999_999_999  # cents or request units: far above any real event
# Cursor's daily row, split by feature: (feature, ActivityDay column, Cursor field).
FEATURE_COUNTS = (
    ("tab", "suggestions_shown", "totalTabsShown"),
    ("tab", "suggestions_accepted", "totalTabsAccepted"),
    ("apply", "suggestions_shown", "totalApplies"),
    ("apply", "suggestions_accepted", "totalAccepts"),
    ("apply", "suggestions_rejected", "totalRejects"),
    ("composer", "requests", "composerRequests"),
    ("chat", "requests", "chatRequests"),
    ("agent", "requests", "agentRequests"),
    ("cmdk", "requests", "cmdkUsages"),
    ("bugbot", "requests", "bugbotUsages"),
)
UNKNOWN_MODEL = "(unknown)"  # the "by model" row of events that name no model
MEASURES = (
    "active", "lines_written_added", "lines_written_deleted", "lines_suggested_added",
    "lines_suggested_deleted", "lines_accepted_added", "lines_accepted_deleted",
    "suggestions_shown", "suggestions_accepted", "suggestions_rejected", "requests", "sessions",
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_cents",
)  # fmt: skip


# -- validation -----------------------------------------------------------------------------


def parse_record(kind: str, raw: Any, *, locator: int = 0) -> Record:
    if kind not in KIND_NAMES:
        raise ValueError(f"unknown record kind {kind!r}")
    if not isinstance(raw, dict):
        raise RecordInvalid([("", f"must be a JSON object, got {type(raw).__name__}")])
    fields = _Fields(raw)
    allowed = DAILY_FIELDS if kind == CURSOR_DAILY_USAGE else EVENT_FIELDS
    for name in sorted(set(raw) - allowed):
        fields.problem(name, "unknown field")
    record = _daily(fields) if kind == CURSOR_DAILY_USAGE else _event(fields)
    name = raw.get("userName")
    record.display_name = fields.get("userName", f.text, max_length=200) if name else None
    if fields.problems:
        raise RecordInvalid(fields.problems)
    record.locator = locator
    return record


def _daily(fields: _Fields) -> Record:
    raw = fields.raw
    given = [name for name in ("email", "userEmail") if raw.get(name) not in (None, "")]
    emails = {name: fields.get(name, f.email) for name in given}
    email = emails.get("email") or emails.get("userEmail")
    if not given:
        fields.problem("email", "is required: the member's email address")
    elif len(set(emails.values())) > 1:
        fields.problem("userEmail", f"is {emails['userEmail']}, but email is {emails['email']}")
    counts = {name: fields.count(name) for name in DAILY_COUNTS}
    texts = {name: fields.get(name, f.text, max_length=255) for name in DAILY_TEXTS}
    active = fields.get("isActive", f.boolean)
    day = _day(fields)
    if active is None:  # not sent: active when anything was counted
        active = any(counts.values())
    values = {"day": day, "active": active, "counts": counts, "texts": texts, "raw": raw}
    return Record(key=(email, day), values=values, email=email)


def _day(fields: _Fields) -> date | None:
    """`day` (YYYY-MM-DD) or `date` (Cursor's epoch milliseconds of the day), or both if they
    agree: the UTC day of the row."""
    raw = fields.raw
    by_day = by_date = None
    if raw.get("day") is not None:
        value = raw["day"]
        by_day = _iso_day(value)
        if by_day is None:
            fields.problem("day", f"must be a date YYYY-MM-DD, got {value!r:.60}")
    if raw.get("date") is not None:
        stamp = fields.get("date", f.timestamp)
        by_date = stamp.astimezone(UTC).date() if stamp else None
    if by_day and by_date and by_day != by_date:
        fields.problem("date", f"is {by_date} (UTC), but day is {by_day}: they must agree")
    if raw.get("day") is None and raw.get("date") is None:
        fields.problem("day", "is required (or date, in epoch milliseconds)")
    return by_day or by_date


def _iso_day(value) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _event(fields: _Fields) -> Record:
    raw = fields.raw
    email = None
    if raw.get("userEmail") in (None, ""):
        fields.problem("userEmail", "is required: the member's email address")
    else:
        email = fields.get("userEmail", f.email)
    if raw.get("timestamp") in (None, ""):
        fields.problem("timestamp", "is required (epoch milliseconds, as Cursor sends it)")
        occurred = None
    else:
        occurred = fields.get("timestamp", f.timestamp)
    model = fields.get("model", f.text, max_length=255) or ""
    kind = fields.get("kind", f.text, max_length=255)
    kind = kind if kind is not None else fields.get("kindLabel", f.text, max_length=255)
    values = {
        "occurred_at": occurred,
        "model": model,
        "kind": kind or "",
        "max_mode": bool(fields.get("maxMode", f.boolean)),
        "requests_costs": _amount(fields, "requestsCosts", raw.get("requestsCosts")) or 0,
        "is_token_based": bool(fields.get("isTokenBasedCall", f.boolean)),
        "is_free_bugbot": bool(fields.get("isFreeBugbot", f.boolean)),
        **_tokens(fields),
        "raw": raw,
    }
    _extras(fields)
    key = _event_key(raw, email, occurred, model, values["kind"])
    return Record(key=(key,), values=values, email=email)


def _tokens(fields: _Fields) -> dict:
    usage = fields.raw.get("tokenUsage")
    out = {"input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 0, "cache_write_tokens": 0}
    out["total_cents"] = None
    if usage is None:
        return out
    if not isinstance(usage, dict):
        fields.problem("tokenUsage", f"must be an object, got {type(usage).__name__}")
        return out
    allowed = {*TOKEN_FIELDS, "totalCents"}
    for name in sorted(set(usage) - allowed):
        fields.problem(
            f"tokenUsage.{name}", f"unknown field (expected {', '.join(sorted(allowed))})"
        )
    columns = ("input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens")
    for name, column in zip(TOKEN_FIELDS, columns, strict=True):
        value = usage.get(name)
        if value is not None:
            try:
                out[column] = f.count(value)
            except f.Invalid as exc:
                fields.problem(f"tokenUsage.{name}", exc.message)
    out["total_cents"] = _amount(fields, "tokenUsage.totalCents", usage.get("totalCents"))
    return out


def _amount(fields: _Fields, name: str, value) -> Decimal | None:
    """A non-negative JSON number (cents, request units), kept to 6 decimals."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fields.problem(name, f"must be a non-negative number, got {value!r:.60}")
        return None
    if not 0 <= value <= MAX_AMOUNT:
        fields.problem(name, f"must be a number from 0 to {MAX_AMOUNT}, got {value!r:.60}")
        return None
    return Decimal(repr(value)).quantize(Decimal("0.000001"))


def _extras(fields: _Fields) -> None:
    for name, rule in EVENT_EXTRAS.items():
        value = fields.raw.get(name)
        if value is None:
            continue
        if rule == "text":
            fields.get(name, f.text, max_length=255)
        elif rule == "boolean":
            fields.get(name, f.boolean)
        else:
            _amount(fields, name, value)


def _event_key(raw: dict, email, occurred, model: str, kind: str) -> str:
    """An event's identity: Cursor's events have no id; the same instant, person, model, kind
    and conversation is the same event (re-sent by an overlapping sync window)."""
    stamp = occurred.isoformat() if occurred else ""
    parts = (stamp, email or "", model, kind, str(raw.get("conversationId") or ""))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# -- writing --------------------------------------------------------------------------------


def write_batch(*, team: Team, kind: str, records: list[Record], stamp: datetime) -> Written:
    """Upsert one validated batch (members resolved); the last record of an identity wins."""
    # In identity order, as the other kinds: concurrent writers take the rows' locks in one
    # order instead of deadlocking.
    unique = sorted({r.key: r for r in records}.values(), key=lambda r: str(r.key))
    if kind == CURSOR_DAILY_USAGE:
        return _write_daily(team, unique, stamp)
    return _write_events(team, unique, stamp)


@dataclass(frozen=True)
class _RowKey:
    member_id: int
    day: date
    feature: str
    model: str


def _daily_rows(record: Record) -> dict[_RowKey, dict]:
    """The ActivityDay rows one daily usage record stands for: its total and its features."""
    v, member_id, day = record.values, record.values["member_id"], record.values["day"]
    c = v["counts"]
    total = {
        "active": v["active"],
        "lines_written_added": c["totalLinesAdded"],
        "lines_written_deleted": c["totalLinesDeleted"],
        "lines_accepted_added": c["acceptedLinesAdded"],
        "lines_accepted_deleted": c["acceptedLinesDeleted"],
        "suggestions_shown": c["totalTabsShown"] + c["totalApplies"],
        "suggestions_accepted": c["totalTabsAccepted"] + c["totalAccepts"],
        "suggestions_rejected": c["totalRejects"],
        "requests": sum(c[name] for _, column, name in FEATURE_COUNTS if column == "requests"),
        "raw": v["raw"],
    }
    rows = {_RowKey(member_id, day, "", ""): total}
    for feature, column, name in FEATURE_COUNTS:
        if c[name]:
            row = rows.setdefault(_RowKey(member_id, day, feature, ""), {"active": True})
            row[column] = c[name]
    return rows


def _write_daily(team: Team, records: list[Record], stamp: datetime) -> Written:
    wanted: dict[_RowKey, dict] = {}
    for record in records:
        wanted.update(_daily_rows(record))
    pairs = {(k.member_id, k.day) for k in wanted}
    stored = _stored_rows(team, DAILY_SCHEMA, pairs)
    written = Written()
    totals_stored = {(k.member_id, k.day) for k in stored if k.feature == ""}
    changed_pairs = _apply(team, DAILY_SCHEMA, wanted, stored, pairs, stamp)
    for pair in changed_pairs:
        if pair in totals_stored:
            written.updated += 1
        else:
            written.created += 1
    return written


def _stored_rows(team: Team, schema: str, pairs: set) -> dict[_RowKey, ActivityDay]:
    if not pairs:
        return {}
    members = {m for m, _ in pairs}
    days = [d for _, d in pairs]
    rows = ActivityDay.objects.of(team).filter(
        tool=Tool.CURSOR,
        source_schema=schema,
        member_id__in=members,
        day__gte=min(days),
        day__lte=max(days),
    )
    out = {}
    for row in rows:
        if (row.member_id, row.day) in pairs:
            out[_RowKey(row.member_id, row.day, row.feature, row.model)] = row
    return out


def _apply(team, schema, wanted: dict, stored: dict, pairs: set, stamp) -> set:
    """Make the stored rows of `pairs` (member, day) equal to `wanted`: rows that differ are
    deleted and written anew (keeping their created_at), the rest is left alone. Returns the
    pairs that changed. Optimization: a DELETE by id and a COPY, not Django's bulk_update,
    whose CASE per row and column is slow."""
    changed: set = set()
    new, gone = [], []
    for key, values in wanted.items():
        full = {m: (False if m == "active" else None if m == "cost_cents" else 0) for m in MEASURES}
        full.update(values)
        full.setdefault("raw", None)
        row = stored.get(key)
        if row is not None and not any(_differs(getattr(row, n), v) for n, v in full.items()):
            continue
        created = stamp if row is None else row.created_at
        if row is not None:
            gone.append(row.pk)
        new.append(_new_row(team, schema, key, full, created, stamp))
        changed.add((key.member_id, key.day))
    for key, row in stored.items():
        if key not in wanted:
            gone.append(row.pk)
            changed.add((key.member_id, key.day))
    if gone:
        ActivityDay.objects.of(team).filter(pk__in=gone).delete()
    _create(ActivityDay, new)
    return changed


def _differs(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (old is None) != (new is None) or (old is not None and Decimal(old) != Decimal(new))
    return old != new


def _new_row(team, schema, key: _RowKey, values: dict, created, stamp) -> dict:
    """An ActivityDay row as its columns' values (Optimization: no model instance)."""
    return {
        "team_id": team.pk,
        "member_id": key.member_id,
        "tool": Tool.CURSOR.value,
        "day": key.day,
        "feature": key.feature,
        "model": key.model,
        "language": "",
        "ide": "",
        "source_schema": schema,
        "created_at": created,
        "updated_at": stamp,
        **values,
    }


EVENT_COLUMNS = (
    "member_id", "occurred_at", "model", "kind", "max_mode", "requests_costs", "is_token_based",
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "total_cents",
    "is_free_bugbot", "raw",
)  # fmt: skip


def _write_events(team: Team, records: list[Record], stamp: datetime) -> Written:
    keys = [record.key[0] for record in records]
    stored = {
        e.event_key: e
        for e in UsageEvent.objects.of(team).filter(tool=Tool.CURSOR, event_key__in=keys)
    }
    written, new, gone, touched = Written(), [], [], set()
    for record in records:
        v = record.values
        row = stored.get(record.key[0])
        if row is not None and not any(_differs(getattr(row, c), v[c]) for c in EVENT_COLUMNS):
            continue
        if row is None:
            written.created += 1
        else:
            written.updated += 1
            gone.append(row.pk)
            touched.add((row.member_id, _utc_day(row.occurred_at)))
        new.append(
            {
                "team_id": team.pk,
                "tool": Tool.CURSOR.value,
                "event_key": record.key[0],
                "source_schema": EVENTS_SCHEMA,
                "created_at": stamp if row is None else row.created_at,
                **{c: v[c] for c in EVENT_COLUMNS},
            }
        )
        touched.add((v["member_id"], _utc_day(v["occurred_at"])))
    if gone:
        UsageEvent.objects.of(team).filter(pk__in=gone).delete()
    _create(UsageEvent, new)
    if touched:
        _rebuild_model_days(team, touched, stamp)
    return written


def _create(model, rows: list[dict]) -> None:
    """Insert rows (every column's value by attname) with COPY on PostgreSQL (executemany
    elsewhere). Optimization: Django's
    bulk_create compiled every value through the field machinery, most of the write's time
    (20,000 demo events and 3,300 daily rows: 47 of 64 s in bulk_create).

    A concurrent request may store the same new identity first: the service then tries the
    whole request again (WriteRace), when this one's read sees it."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    json = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in fields]
    values = ([_cell(n in json, row[n]) for n in names] for row in rows)
    try:
        copy_rows(model._meta.db_table, [f.column for f in fields], values)
    except IntegrityError as exc:
        raise WriteRace(str(exc).splitlines()[0]) from exc


def _cell(is_json: bool, value):
    return jsonfast.dumps(value) if is_json and value is not None else value


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _rebuild_model_days(team: Team, pairs: set, stamp: datetime) -> None:
    """The "by model" ActivityDay rows of these (member, day) pairs, from the stored events."""
    days = [d for _, d in pairs]
    start = datetime.combine(min(days), time.min, tzinfo=UTC)
    events = UsageEvent.objects.of(team).filter(
        tool=Tool.CURSOR, member_id__in={m for m, _ in pairs}, occurred_at__gte=start
    )
    if max(days) < date.max:  # 9999-12-31 has no next day
        end = datetime.combine(max(days) + timedelta(days=1), time.min, tzinfo=UTC)
        events = events.filter(occurred_at__lt=end)
    sums: dict[_RowKey, dict] = defaultdict(_empty_sums)
    columns = ("member_id", "occurred_at", "model", "input_tokens", "output_tokens")
    columns += ("cache_read_tokens", "cache_write_tokens", "total_cents")
    for member_id, occurred, model, inp, out, cread, cwrite, cents in events.values_list(*columns):
        day = _utc_day(occurred)
        if (member_id, day) not in pairs:
            continue
        row = sums[_RowKey(member_id, day, "", model or UNKNOWN_MODEL)]
        row["requests"] += 1
        row["input_tokens"] += inp
        row["output_tokens"] += out
        row["cache_read_tokens"] += cread
        row["cache_write_tokens"] += cwrite
        if cents is not None:
            row["cost_cents"] = (row["cost_cents"] or Decimal(0)) + cents
    stored = _stored_rows(team, EVENTS_SCHEMA, pairs)
    _apply(team, EVENTS_SCHEMA, dict(sums), stored, pairs, stamp)


def _empty_sums() -> dict:
    return {
        "active": True,
        "requests": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cost_cents": None,
    }
