"""Admin for the ingested records: read-only, deletable, fast on millions of rows.

What keeps the lists fast (checked with EXPLAIN on PostgreSQL, see docs/operators.md):
- no full-table COUNT (CappedCountPaginator, show_full_result_count = False);
- member and team joined in the page query (list_select_related), raw id widgets;
- ordering by the primary key unless a team is chosen, then by the team + createdAt index;
- search is exact (change id, commit hash prefix, member email), each an indexed lookup;
- no date_hierarchy: its MIN/MAX and SELECT DISTINCT dates scan every row; the date filters
  below have fixed choices and filter through the team + createdAt index.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.admin_paging import CappedCountPaginator, has_nul, summarised_deleted_objects
from teams.models import Member, MemberIdentity, Team, normalize_email
from tracking import rollups
from tracking.models import (
    AI_PAIRS,
    ActivityDay,
    AttributionRecord,
    Change,
    Commit,
    CommitAttribution,
    CommitFile,
    Message,
    SyncState,
    UsageEvent,
)

# The admin's index page shows the read replicas' lag (common/replicas.py, docs/scaling.md).
admin.site.index_template = "admin/aicode_index.html"

TEAM_PARAM = "team__id__exact"
HEX_PREFIX = re.compile(r"^[0-9a-fA-F]{4,64}$")
# The repo filter offers the repos of this many most recent commits (a bounded scan).
REPO_SAMPLE = 5_000
# A commit page lists at most this many of its files (a commit may touch tens of thousands).
FILES_SHOWN = 100


def chosen_team_id(request) -> int | None:
    """The team chosen in the list filter, if it is a database id ("²".isdigit() is True)."""
    value = request.GET.get(TEAM_PARAM, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class CreatedWithinFilter(admin.SimpleListFilter):
    """Date drill-down with fixed choices: no query to build the choices."""

    title = "created"
    parameter_name = "created_within"
    CHOICES = {"1d": 1, "7d": 7, "30d": 30, "90d": 90, "365d": 365}

    def lookups(self, request, model_admin):
        return [(key, f"last {days} days" if days > 1 else "last 24 hours")
                for key, days in self.CHOICES.items()]  # fmt: skip

    def queryset(self, request, queryset):
        days = self.CHOICES.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(created_at__gte=timezone.now() - timedelta(days=days))


class CreatedMonthFilter(admin.SimpleListFilter):
    """One calendar month (UTC) of the last twelve; choices computed from today, not the data."""

    title = "created in month"
    parameter_name = "created_month"

    def lookups(self, request, model_admin):
        first = timezone.now().date().replace(day=1)
        months = []
        for _ in range(12):
            months.append((first.strftime("%Y-%m"), first.strftime("%B %Y")))
            first = (first - timedelta(days=1)).replace(day=1)
        return months

    def queryset(self, request, queryset):
        try:
            year, month = (int(part) for part in (self.value() or "").split("-"))
            start = datetime(year, month, 1, tzinfo=UTC)
        except ValueError:
            return queryset
        end = (start + timedelta(days=32)).replace(day=1)
        return queryset.filter(created_at__gte=start, created_at__lt=end)


class CreatedDayFilter(admin.SimpleListFilter):
    """The day level of the drill-down: the days of the chosen month, or the last 14 days.

    Choices come from the calendar, not from the data (no SELECT DISTINCT over the rows).
    """

    title = "created on day"
    parameter_name = "created_day"

    def lookups(self, request, model_admin):
        today = timezone.now().date()
        try:
            year, month = (int(p) for p in request.GET.get("created_month", "").split("-"))
            first = date(year, month, 1)
        except ValueError:
            days = [today - timedelta(days=n) for n in range(14)]
        else:
            following = (first + timedelta(days=32)).replace(day=1)
            last = min(following - timedelta(days=1), today)
            days = [last - timedelta(days=n) for n in range((last - first).days + 1)]
        return [(d.isoformat(), d.strftime("%a %d %b")) for d in days]

    def queryset(self, request, queryset):
        try:
            day = date.fromisoformat(self.value() or "")
        except ValueError:
            return queryset
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return queryset.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))


# The date drill-down: a recent window, or a month and then a day in it.
DATE_FILTERS = (CreatedWithinFilter, CreatedMonthFilter, CreatedDayFilter)


class RepoFilter(admin.SimpleListFilter):
    """Repos of the most recent commits (of the chosen team, if one is) as choices, never
    SELECT DISTINCT over the table; any other repo works through the URL: ?repo=acme/web."""

    title = "repo"
    parameter_name = "repo"

    def lookups(self, request, model_admin):
        commits = Commit.objects.all()
        if request.GET.get(TEAM_PARAM):
            commits = commits.filter(team_id=chosen_team_id(request))
        recent = commits.order_by("-id").values_list("repo_name", flat=True)[:REPO_SAMPLE]
        repos = sorted({repo for repo in recent if repo})
        if self.value() and self.value() not in repos:
            repos.append(self.value())
        return [(repo, repo) for repo in repos]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if has_nul(self.value()):
            return queryset.none()
        return queryset.filter(repo_name=self.value())


def searched_members(request) -> list[tuple[int, int]] | None:
    """(team id, member id) of the members whose email is the search term, within the chosen
    team if any; None when the search is not an email. Memoised on the request: ordering and
    search both need it."""
    term = request.GET.get(SEARCH_VAR, "").strip()
    if "@" not in term:
        return None
    if not hasattr(request, "_searched_members"):
        members = Member.objects.filter(email=normalize_email(term))
        if has_nul(term):
            members = members.none()
        if request.GET.get(TEAM_PARAM, "").strip():
            members = members.filter(team_id=chosen_team_id(request))
        request._searched_members = list(members.values_list("team_id", "id"))
    return request._searched_members


def member_filter(pairs: list[tuple[int, int]]) -> Q:
    """Rows of the given members.

    Optimization: one member (the usual case, or any email once a team is chosen) is a literal
    (team, member) pair, which the (team, member, created_at desc, id desc) index answers in
    order; `member_id IN (subquery)` walked the whole primary key instead (1 s -> 2 ms on a
    million changes). Several members (one person in several teams) are `member_id IN (...)`,
    for which the planner picks between the member index and a primary-key scan.
    """
    if len(pairs) == 1:
        return Q(team_id=pairs[0][0], member_id=pairs[0][1])
    return Q(member_id__in=[member_id for _team_id, member_id in pairs])


class RecordAdmin(admin.ModelAdmin):
    """Shared behaviour of the big, ingested tables: view and delete, never add or edit."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_select_related = ("member", "team")
    raw_id_fields = ("team", "member")
    list_per_page = 100
    # Sorting by an arbitrary column sorts the whole table; the default order is indexed.
    sortable_by = ()

    def get_ordering(self, request):
        # With a team chosen, the (team, created_at desc, id desc) index gives the page; without,
        # a backward scan of the primary key does (newest ingested first). See member_filter
        # for an email search.
        members = searched_members(request)
        if members is not None:
            return ["-created_at", "-id"] if len(members) <= 1 else ["-id"]
        if request.GET.get(TEAM_PARAM):
            return ["-created_at", "-id"]
        return ["-id"]

    def has_add_permission(self, request) -> bool:
        return False  # records arrive through ingestion, which keeps identities and ETags right

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if has_nul(term):
            return queryset.none(), False
        if "@" in term:
            return queryset.filter(member_filter(searched_members(request) or [])), False
        return self.search_identity(queryset, term), False

    def search_identity(self, queryset: QuerySet, term: str) -> QuerySet:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        return summarised_deleted_objects(objs, request, self.cascades(objs))

    def cascades(self, objs) -> dict[str, QuerySet]:
        return {}

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            rollups.forget(type(obj).objects.filter(pk=obj.pk))  # out of the summary tables
            super().delete_model(request, obj)
            obj.team.bump_data_version()  # cached responses of the team are stale now

    def delete_queryset(self, request, queryset) -> None:
        team_ids = set(queryset.values_list("team_id", flat=True).distinct())
        with transaction.atomic():
            rollups.forget(queryset)
            super().delete_queryset(request, queryset)
            for team in Team.objects.filter(id__in=team_ids):
                team.bump_data_version()


class CommitFileInline(admin.TabularInline):
    model = CommitFile
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "file_path", "file_extension", "lines_added", "lines_deleted",
        "ai_lines_added", "ai_lines_deleted",
    )  # fmt: skip

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_formset(self, request, obj=None, **kwargs):
        request._files_of_commit = obj  # get_queryset has no obj; it is called after this
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        # The formset filters by commit after this: slicing here would forbid that, so the
        # first FILES_SHOWN ids are chosen here by the commit got from get_formset.
        commit = getattr(request, "_files_of_commit", None)
        if commit is None:
            return super().get_queryset(request).none()
        first = commit.files.order_by("id").values_list("id", flat=True)[:FILES_SHOWN]
        return super().get_queryset(request).filter(id__in=list(first)).order_by("id")


@admin.register(Commit)
class CommitAdmin(RecordAdmin):
    list_display = (
        "commit_hash", "created_at", "commit_ts", "repo_name", "branch_name",
        "is_primary_branch", "member", "team", "total_lines_added", "ai_lines_added",
    )  # fmt: skip
    list_filter = ("team", RepoFilter, "is_primary_branch", "commit_source", *DATE_FILTERS)
    search_fields = ("commit_hash",)  # the box shows; get_search_results does the work
    search_help_text = "A commit hash or its first characters (4+), or a member's exact email."
    inlines = (CommitFileInline,)
    readonly_fields = ("files_shown",)

    @admin.display(description="files")
    def files_shown(self, obj: Commit) -> str:
        total = obj.files.count()
        if total <= FILES_SHOWN:
            return f"{total} (all listed below)"
        return f"{total} (the first {FILES_SHOWN} listed below)"

    @admin.display(description="AI lines added")
    def ai_lines_added(self, obj: Commit) -> int:
        return sum(getattr(obj, f"{pair}_lines_added") for pair in AI_PAIRS)

    def search_identity(self, queryset: QuerySet, term: str) -> QuerySet:
        if HEX_PREFIX.match(term):
            return queryset.filter(commit_hash__startswith=term.lower())
        return queryset.filter(commit_hash=term)

    def cascades(self, objs) -> dict[str, QuerySet]:
        return {"commit files": CommitFile.objects.filter(commit__in=objs)}


@admin.register(Change)
class ChangeAdmin(RecordAdmin):
    list_display = (
        "change_id", "created_at", "source", "model", "accepted", "member", "team",
        "total_lines_added", "total_lines_deleted",
    )  # fmt: skip
    list_filter = (
        "team",
        "source",
        "accepted",
        CreatedWithinFilter,
        CreatedMonthFilter,
        CreatedDayFilter,
    )
    search_fields = ("change_id",)
    search_help_text = "An exact change id, or a member's exact email."

    def search_identity(self, queryset: QuerySet, term: str) -> QuerySet:
        # Optimization: change ids are unique per team and indexed as (team, change_id); naming
        # the teams lets PostgreSQL probe that index once per team instead of scanning.
        return queryset.filter(team__in=Team.objects.values("id"), change_id=term)


@admin.register(Message)
class MessageAdmin(RecordAdmin):
    list_display = (
        "message_id", "created_at", "source", "model", "conversation_id", "member", "team",
    )  # fmt: skip
    list_filter = ("team", "source", *DATE_FILTERS)
    search_fields = ("message_id",)
    search_help_text = "An exact message id, or a member's exact email."

    def search_identity(self, queryset: QuerySet, term: str) -> QuerySet:
        return queryset.filter(team__in=Team.objects.values("id"), message_id=term)


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    """`manage.py sync` checkpoints, read-only: only the command moves them (--reset)."""

    list_display = (
        "team", "source", "stream", "checkpoint", "last_run_at", "last_success_at",
        "records", "created", "updated", "requests", "short_error",
    )  # fmt: skip
    list_filter = ("source", "stream", "team")
    list_select_related = ("team",)
    ordering = ("team", "source", "stream")

    @admin.display(description="last error")
    def short_error(self, state: SyncState) -> str:
        return state.last_error[:120]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActivityAdmin(admin.ModelAdmin):
    """Editor activity (docs/activity.md), view only: rows arrive through ingestion, and an
    event deleted here would leave its per-model day sums behind."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_select_related = ("member", "team")
    raw_id_fields = ("team", "member")
    list_per_page = 100
    sortable_by = ()
    ordering = ("-id",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActivityDay)
class ActivityDayAdmin(ActivityAdmin):
    list_display = (
        "day", "tool", "member", "team", "feature", "model", "active", "lines_accepted_added",
        "suggestions_accepted", "requests", "cost_cents", "source_schema",
    )  # fmt: skip
    list_filter = ("tool", "team", "source_schema")


@admin.register(UsageEvent)
class UsageEventAdmin(ActivityAdmin):
    list_display = (
        "occurred_at", "tool", "member", "team", "model", "kind", "requests_costs",
        "input_tokens", "output_tokens", "total_cents",
    )  # fmt: skip
    list_filter = ("tool", "team")


# --- the identity map and commit attribution (docs/tools.md) -------------------------------


class MatchedFilter(admin.SimpleListFilter):
    title = "matched to a member"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return (("no", "Unmatched"), ("yes", "Matched"))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(member__isnull=True)
        if self.value() == "yes":
            return queryset.filter(member__isnull=False)
        return queryset


@admin.register(MemberIdentity)
class MemberIdentityAdmin(admin.ModelAdmin):
    """The identity map: the names other sources give people (git author emails, logins,
    account ids). Unmatched ones are listed (filter "Unmatched"); choosing their member counts
    their commits for that member from then on (the commits are resolved again on save)."""

    list_display = ("value", "kind", "team", "member", "source", "first_seen_at")
    list_select_related = ("team", "member")
    list_filter = (MatchedFilter, "kind", "team")
    search_fields = ("value", "member__email")
    autocomplete_fields = ("team", "member")
    readonly_fields = ("first_seen_at",)

    def save_model(self, request, obj, form, change) -> None:
        from tracking.attribution.resolve import resolve

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            keys = CommitAttribution.objects.of(obj.team).filter(author__iexact=obj.value)
            resolve(obj.team_id, [(r or "", h) for r, h in keys.values_list(
                "repo_name", "commit_hash")])  # fmt: skip


@admin.register(AttributionRecord)
class AttributionRecordAdmin(admin.ModelAdmin):
    """Raw git-ai notes and Agent Trace records, as received (read only)."""

    list_display = ("record_id", "source", "repo_name", "commit_sha", "schema_version", "status",
                    "team", "received_at")  # fmt: skip
    list_filter = ("source", "status", "schema_version", "team")
    search_fields = ("record_id", "commit_sha", "repo_name")
    list_select_related = ("team",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
