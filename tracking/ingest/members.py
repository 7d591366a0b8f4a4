"""Who each record belongs to: members found or created by email, or named by a userId.

Optimization: one resolver lives for a whole request or file and caches email -> id, so a
million records by a dozen people cost a dozen lookups, not a million.
"""

from __future__ import annotations

from django.db.models import Q

from teams.models import Member, Team
from tracking.ingest.records import Record

UNKNOWN_USER = "names no member of this team; send userEmail to create the member"


class MemberResolver:
    def __init__(self, team: Team):
        self.team = team
        self.by_email: dict[str, int] = {}
        self.by_ref: dict[tuple, int] = {}
        self.created = 0

    def resolve(self, records: list[Record]) -> list[tuple[Record, str, str]]:
        """Set values["member_id"] on each record; return (record, field, message) problems."""
        self._load_emails(records)
        self._load_refs(records)
        problems = []
        for record in records:
            if record.email is not None:
                record.values["member_id"] = self.by_email[record.email]
            elif record.user in self.by_ref:
                record.values["member_id"] = self.by_ref[record.user]
            else:
                problems.append((record, "userId", UNKNOWN_USER))
        return problems

    def _load_emails(self, records: list[Record]) -> None:
        names: dict[str, str | None] = {}
        for record in records:
            if record.email is not None and record.email not in self.by_email:
                names.setdefault(record.email, record.display_name)
        if not names:
            return
        self._fetch_emails(names)
        # Sorted: concurrent ingests creating the same members lock them in the same order.
        missing = sorted(email for email in names if email not in self.by_email)
        if missing:
            new = [
                Member(team=self.team, email=email, display_name=_display(email, names[email]))
                for email in missing
            ]
            # ignore_conflicts: a concurrent ingest may create the same member first.
            Member.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
            self.created += len(missing)
            self._fetch_emails(missing)

    def _fetch_emails(self, emails) -> None:
        rows = Member.objects.filter(team=self.team, email__in=list(emails))
        self.by_email.update(rows.values_list("email", "id"))

    def _load_refs(self, records: list[Record]) -> None:
        refs = {r.user for r in records if r.email is None and r.user not in self.by_ref}
        refs.discard(None)
        if not refs:
            return
        pks = [value for kind, value in refs if kind == "pk"]
        uuids = [value for kind, value in refs if kind == "uuid"]
        rows = Member.objects.filter(team=self.team).filter(Q(pk__in=pks) | Q(uuid__in=uuids))
        for pk, member_uuid in rows.values_list("id", "uuid"):
            self.by_ref[("pk", pk)] = pk
            self.by_ref[("uuid", member_uuid)] = pk


def _display(email: str, name: str | None) -> str:
    return (name or "").strip()[:200] or email.split("@", 1)[0]
