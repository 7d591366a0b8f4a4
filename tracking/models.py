"""The canonical records (API.md section 1, QODER.md): one set per team, two dialects on top."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from teams.models import Member, Team, TeamScopedQuerySet

# The eight product x scenario pairs of the Qoder dialect, in the seed's column order.
AI_PAIRS: tuple[str, ...] = (
    "ide_next",
    "plugin_next",
    "ide_agent",
    "plugin_agent",
    "cli_agent",
    "ide_quest",
    "ide_inline_chat",
    "jb_inline_chat",
)
TAB_PAIRS: tuple[str, ...] = ("ide_next", "plugin_next")
COMPOSER_PAIRS: tuple[str, ...] = tuple(p for p in AI_PAIRS if p not in TAB_PAIRS)


class Source(models.TextChoices):
    NEXT = "NEXT"
    AGENT = "AGENT"
    QUEST = "QUEST"
    INLINECHAT = "INLINECHAT"


class CommitSource(models.TextChoices):
    IDE = "ide"
    CLI = "cli"
    CLOUD = "cloud"


class Commit(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    commit_hash = models.CharField(max_length=64)
    repo_name = models.CharField(max_length=255, null=True, blank=True)
    branch_name = models.CharField(max_length=255, null=True, blank=True)
    is_primary_branch = models.BooleanField(null=True)
    total_lines_added = models.PositiveIntegerField(default=0)
    total_lines_deleted = models.PositiveIntegerField(default=0)
    # AI lines per product x scenario (the eight pairs of AI_PAIRS).
    ide_next_lines_added = models.PositiveIntegerField(default=0)
    ide_next_lines_deleted = models.PositiveIntegerField(default=0)
    plugin_next_lines_added = models.PositiveIntegerField(default=0)
    plugin_next_lines_deleted = models.PositiveIntegerField(default=0)
    ide_agent_lines_added = models.PositiveIntegerField(default=0)
    ide_agent_lines_deleted = models.PositiveIntegerField(default=0)
    plugin_agent_lines_added = models.PositiveIntegerField(default=0)
    plugin_agent_lines_deleted = models.PositiveIntegerField(default=0)
    cli_agent_lines_added = models.PositiveIntegerField(default=0)
    cli_agent_lines_deleted = models.PositiveIntegerField(default=0)
    ide_quest_lines_added = models.PositiveIntegerField(default=0)
    ide_quest_lines_deleted = models.PositiveIntegerField(default=0)
    ide_inline_chat_lines_added = models.PositiveIntegerField(default=0)
    ide_inline_chat_lines_deleted = models.PositiveIntegerField(default=0)
    jb_inline_chat_lines_added = models.PositiveIntegerField(default=0)
    jb_inline_chat_lines_deleted = models.PositiveIntegerField(default=0)
    message = models.TextField(null=True, blank=True)
    commit_ts = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Where the commit was made (Cursor's commitSource): ide, cli, cloud, or unknown (null).
    commit_source = models.CharField(max_length=8, null=True, blank=True, choices=CommitSource)
    # Qoder's time axis for commits: commitTs, falling back to createdAt (QODER.md).
    occurred_at = models.GeneratedField(
        expression=Coalesce("commit_ts", "created_at"),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    # [{filePath, groups: [{conversationId, source, productType, type, ranges: [{start, end}]}]}]
    range_annotations = models.JSONField(null=True, blank=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            # A null repoName is one value like any other: COALESCE makes the identity hold
            # on every backend (plain UNIQUE treats NULLs as distinct).
            models.UniqueConstraint(
                F("team"),
                Coalesce("repo_name", Value("")),
                F("commit_hash"),
                name="commit_identity_uniq",
            ),
        ]
        indexes = [
            # Cursor lists and exports: team + createdAt window, newest first, id tie-break.
            models.Index(
                F("team"), F("created_at").desc(), F("id").desc(), name="commit_team_created"
            ),
            models.Index(
                F("team"),
                F("member"),
                F("created_at").desc(),
                F("id").desc(),
                name="commit_team_member_created",
            ),
            # Qoder tracking and metrics: commit time with createdAt fallback.
            models.Index(
                F("team"), F("occurred_at").desc(), F("id").desc(), name="commit_team_occurred"
            ),
            models.Index(fields=["member"], name="commit_member"),
        ]

    def __str__(self) -> str:
        return self.commit_hash


class CommitFileQuerySet(models.QuerySet):
    def of(self, team: Team | int) -> CommitFileQuerySet:
        """A team's commit files: through their commit (a file row has no team of its own)."""
        return self.filter(commit__team=team)


class CommitFile(models.Model):
    """Optional per-file rows of a commit (QODER.md), for extension figures."""

    commit = models.ForeignKey(Commit, on_delete=models.CASCADE, related_name="files")
    file_path = models.CharField(max_length=1024, null=True, blank=True)
    file_extension = models.CharField(max_length=32)
    lines_added = models.PositiveIntegerField(default=0)
    lines_deleted = models.PositiveIntegerField(default=0)
    ai_lines_added = models.PositiveIntegerField(default=0)
    ai_lines_deleted = models.PositiveIntegerField(default=0)

    objects = CommitFileQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["commit", "file_extension"], name="commitfile_commit_ext")]

    def __str__(self) -> str:
        return self.file_path or f"(a {self.file_extension} file)"


class Change(models.Model):
    """An accepted (or, for NEXT, possibly rejected) AI edit in the IDE."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    change_id = models.CharField(max_length=255)
    source = models.CharField(max_length=16, choices=Source.choices)
    model = models.CharField(max_length=255, null=True, blank=True)
    accepted = models.BooleanField(default=True)
    total_lines_added = models.PositiveIntegerField(default=0)
    total_lines_deleted = models.PositiveIntegerField(default=0)
    # [{fileName?, fileExtension, linesAdded, linesDeleted}]; fileName absent in privacy mode.
    # Extensions stored normalised: lower case with a leading dot.
    metadata = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "change_id"], name="change_identity_uniq"),
        ]
        indexes = [
            # Cursor lists, counts and exports read accepted changes only: with `accepted` in
            # the index, their counts and the deferred join's walk over offsets are index-only
            # scans (docs/benchmark.md has the plans).
            models.Index(
                fields=["team", "-created_at", "-id"],
                include=["accepted"],
                name="change_team_created",
            ),
            models.Index(
                F("team"),
                F("member"),
                F("created_at").desc(),
                F("id").desc(),
                name="change_team_member_created",
            ),
            models.Index(fields=["member"], name="change_member"),
        ]

    def __str__(self) -> str:
        return self.change_id


class Message(models.Model):
    """A chat message sent to an AI assistant (QODER.md), counted by the Qoder overview."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    message_id = models.CharField(max_length=255)
    source = models.CharField(max_length=16, choices=Source.choices)
    model = models.CharField(max_length=255, null=True, blank=True)
    conversation_id = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "message_id"], name="message_identity_uniq"),
        ]
        indexes = [
            models.Index(F("team"), F("created_at"), name="message_team_created"),
            models.Index(fields=["member"], name="message_member"),
        ]

    def __str__(self) -> str:
        return self.message_id


class SyncState(models.Model):
    """Where `manage.py sync` stands for one team, upstream and stream (docs/sync.md).

    `checkpoint` is the end of the last window whose records are committed: it is saved in the
    same transaction as those records, so a killed run never leaves it ahead of the data.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    source = models.CharField(max_length=16)  # cursor | qoder
    stream = models.CharField(max_length=16)  # commits | changes
    checkpoint = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    records = models.BigIntegerField(default=0)  # received, all runs
    created = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "source", "stream"], name="tracking_sync_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.source} {self.stream}"


# --- Rollups: figures kept current at write time (tracking/rollups.py, docs/rollups.md) ------
#
# Team-wide summary rows, updated in the same transaction as every write of the records above
# by adding the write's delta (INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n). A
# repository is (repo_known, repo_name): a null repoName and "" are different repositories in
# the figures, and a unique index treats NULLs as distinct, so the null one is (False, "").


class HourCount(models.Model):
    """Rows per hour of createdAt behind the Cursor lists' totalCount and deep pages:
    kind "commits" (every commit) or "changes" (accepted changes only, as the lists read)."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    kind = models.CharField(max_length=8)
    hour = models.DateTimeField()
    n = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "hour"], name="hourcount_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hour:%Y-%m-%d %H}h: {self.n}"


class CommitDayBase(models.Model):
    """Commits per UTC day of commit time (commitTs, else createdAt) and repository."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    repo_known = models.BooleanField()
    repo_name = models.CharField(max_length=255)
    primary = models.BooleanField()  # is_primary_branch is true (the primary_branch_only filter)
    commits = models.BigIntegerField(default=0)
    lines_added = models.BigIntegerField(default=0)
    lines_deleted = models.BigIntegerField(default=0)
    ai_added = models.BigIntegerField(default=0)
    ai_deleted = models.BigIntegerField(default=0)
    other_added = models.BigIntegerField(default=0)  # sum over commits of max(0, total - AI)
    # Commits whose AI lines added (or deleted) exceed their lines added (or deleted): stored as
    # sent, counted for the data-quality note (tracking/catalog.py `ai_over_total`).
    over_ai = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TeamCommitDay(CommitDayBase):
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "repo_known", "repo_name", "primary"],
                name="teamcommitday_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.repo_name}: {self.commits} commits"


class MemberCommitDay(CommitDayBase):
    """The same per member: the member ranking."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "member", "repo_known", "repo_name", "primary"],
                name="membercommitday_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["member"], name="membercommitday_member"),
            # The ranking of one repository reads that repository's rows only.
            models.Index(
                fields=["team", "repo_known", "repo_name", "day"], name="membercommitday_repo"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} member {self.member_id}: {self.commits} commits"


class MemberCommitSpan(models.Model):
    """Per member, commits of aligned spans of 2**level days (level 0-6: 1 to 64 days;
    `start` is a day whose ordinal minus 1 is a multiple of 2**level): any run of whole days is
    at most about a dozen such spans, so the team-wide member ranking adds up ~12 rows per
    member instead of one per member and day (1M rows at 2M commits). tracking/rollups.py,
    docs/rollups.md."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    level = models.PositiveSmallIntegerField()
    start = models.DateField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    primary = models.BooleanField(default=False)  # the primary_branch_only filter
    commits = models.BigIntegerField(default=0)
    lines_added = models.BigIntegerField(default=0)
    ai_added = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "level", "start", "member", "primary"],
                name="membercommitspan_primary_uniq",
            )
        ]
        indexes = [models.Index(fields=["member"], name="membercommitspan_member")]

    def __str__(self) -> str:
        return f"{self.start} +2^{self.level} days, member {self.member_id}: {self.commits}"


class TeamFileDay(models.Model):
    """Commit file lines per day of commit time, repository and file extension."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    repo_known = models.BooleanField()
    repo_name = models.CharField(max_length=255)
    primary = models.BooleanField()
    file_extension = models.CharField(max_length=32)
    files = models.BigIntegerField(default=0)
    lines_added = models.BigIntegerField(default=0)
    ai_added = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "repo_known", "repo_name", "primary", "file_extension"],
                name="teamfileday_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.file_extension}: {self.lines_added} lines"


class TeamExtDay(models.Model):
    """TeamFileDay without the repository and branch: what the unfiltered extension figures
    read (about 15 rows a day instead of about 600)."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    file_extension = models.CharField(max_length=32)
    files = models.BigIntegerField(default=0)
    lines_added = models.BigIntegerField(default=0)
    ai_added = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "file_extension"], name="teamextday_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.file_extension}: {self.lines_added} lines"


class TeamChangeDay(models.Model):
    """Changes per UTC day of createdAt, source, accepted and model ("" when none was named)."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    source = models.CharField(max_length=16)
    accepted = models.BooleanField()
    model = models.CharField(max_length=255, default="")
    changes = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)  # lines added + deleted

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "source", "accepted", "model"],
                name="teamchangeday_model_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.changes} changes"


class TeamChangeExtDay(models.Model):
    """Accepted changes per day whose metadata touches a file extension (each change once)."""

    summary_table = True  # derived from the records: tracking/rollups.py

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    file_extension = models.CharField(max_length=255)
    changes = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "file_extension"], name="teamchangeextday_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.file_extension}: {self.changes} changes"


class TeamMessageDay(models.Model):
    summary_table = True  # derived from the records: tracking/rollups.py
    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    messages = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "day"], name="teammessageday_uniq")]

    def __str__(self) -> str:
        return f"{self.day}: {self.messages} messages"


# --- Editor activity: what happened in the IDE or CLI (docs/activity.md) --------------------
#
# A fact family of its own, next to commit attribution and never summed into it: per tool,
# member and UTC day, what the vendor's admin API counts (lines suggested, accepted and written,
# suggestions, requests, sessions, tokens, cost). Cursor's Admin API daily usage and usage
# events today; GitHub Copilot's usage metrics reports and Claude Code Analytics fit the same
# rows (docs/activity.md says how).


class Tool(models.TextChoices):
    CURSOR = "cursor"
    COPILOT = "copilot"
    CLAUDE_CODE = "claude_code"


class ActivityDay(models.Model):
    """One member's activity in one tool on one UTC day, whole or broken down.

    The dimensions `feature`, `model`, `language` and `ide` are "" where a row does not split
    by them. A row whose four dimensions are all "" is the member's day total in the tool;
    rows that set some of them are one breakdown of that total (a *grouping set*: by feature;
    by model; by language and model; by IDE). Sums are taken within one grouping set, never
    across two: the by-feature rows of a day add up to (at most) its total, they do not add
    to it. A vendor that gives only a breakdown (usage events per model) has rows of that set
    and no total.

    `source_schema` names the record format the row came from and `raw` keeps that record as
    received (JSONB on PostgreSQL): the day total of a Cursor daily usage row is served back
    from it in Cursor's shape."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    tool = models.CharField(max_length=16, choices=Tool.choices)
    day = models.DateField()
    feature = models.CharField(max_length=64, blank=True, default="")
    model = models.CharField(max_length=255, blank=True, default="")
    language = models.CharField(max_length=64, blank=True, default="")
    ide = models.CharField(max_length=64, blank=True, default="")
    # Whether the member used the tool that day (the vendor's own flag where it has one).
    active = models.BooleanField(default=False)
    # Every line the member wrote in the editor, typed or AI (Cursor's totalLines*): the one
    # "all lines written" denominator any vendor gives.
    lines_written_added = models.BigIntegerField(default=0)
    lines_written_deleted = models.BigIntegerField(default=0)
    # Lines the AI offered (Copilot's loc_suggested_to_*).
    lines_suggested_added = models.BigIntegerField(default=0)
    lines_suggested_deleted = models.BigIntegerField(default=0)
    # AI lines the member accepted (Cursor's acceptedLines*, Copilot's loc_added/deleted_sum,
    # Claude Code's lines_of_code).
    lines_accepted_added = models.BigIntegerField(default=0)
    lines_accepted_deleted = models.BigIntegerField(default=0)
    suggestions_shown = models.BigIntegerField(default=0)
    suggestions_accepted = models.BigIntegerField(default=0)
    suggestions_rejected = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)  # prompts, chat/agent requests, events
    sessions = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cache_read_tokens = models.BigIntegerField(default=0)
    cache_write_tokens = models.BigIntegerField(default=0)
    # Estimated cost in US cents, where the source gives one (null: it does not). Wide enough
    # for the sum of a million events of the largest cost ingest takes.
    cost_cents = models.DecimalField(max_digits=30, decimal_places=6, null=True, blank=True)
    source_schema = models.CharField(max_length=64)
    raw = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "tool", "member", "day", "feature", "model", "language", "ide"],
                name="activityday_identity_uniq",
            )
        ]
        indexes = [
            # The adoption view and Cursor's daily-usage-data: a team's tool over a window.
            models.Index(fields=["team", "tool", "day"], name="activityday_team_tool_day"),
            models.Index(fields=["member"], name="activityday_member"),
        ]

    def __str__(self) -> str:
        dims = "/".join(d for d in (self.feature, self.model, self.language, self.ide) if d)
        return f"{self.tool} {self.day} member {self.member_id} {dims or 'total'}"


class UsageEvent(models.Model):
    """One request made in a tool (Cursor's filtered-usage-events): when, which model, how it
    was billed, its tokens and cost. Its per-model day sums are ActivityDay rows (grouping set
    "by model"), rebuilt in the same transaction as every write of events."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, db_index=False)
    tool = models.CharField(max_length=16, choices=Tool.choices)
    # Identity within the team and tool: sha256 of (timestamp, email, model, kind,
    # conversationId); Cursor's events carry no id of their own.
    event_key = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    model = models.CharField(max_length=255, blank=True, default="")
    kind = models.CharField(max_length=255, blank=True, default="")
    max_mode = models.BooleanField(default=False)
    requests_costs = models.DecimalField(max_digits=18, decimal_places=6, default=0)
    is_token_based = models.BooleanField(default=False)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cache_read_tokens = models.BigIntegerField(default=0)
    cache_write_tokens = models.BigIntegerField(default=0)
    total_cents = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    is_free_bugbot = models.BooleanField(default=False)
    source_schema = models.CharField(max_length=64)
    raw = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "tool", "event_key"], name="usageevent_identity_uniq"
            )
        ]
        indexes = [
            # filtered-usage-events: newest first over a window, team-wide or for one member.
            models.Index(
                F("team"),
                F("tool"),
                F("occurred_at").desc(),
                F("id").desc(),
                name="usageevent_team_time",
            ),
            models.Index(
                F("team"),
                F("member"),
                F("occurred_at").desc(),
                F("id").desc(),
                name="usageevent_team_member_time",
            ),
            models.Index(fields=["member"], name="usageevent_member"),
        ]

    def __str__(self) -> str:
        return f"{self.tool} {self.occurred_at:%Y-%m-%d %H:%M} {self.model}"


# --- Commit attribution by tool and model (tracking/attribution/, docs/tools.md) -------------


class AttributionSourceKind(models.TextChoices):
    CURSOR = "cursor"  # a Cursor commit record (tracking.Commit)
    QODER = "qoder"  # a Qoder commit record (tracking.Commit)
    GITAI = "gitai"  # a git-ai note (refs/notes/ai, authorship/3.0.0)
    AGENT_TRACE = "agent_trace"  # Agent Trace records (v0.1 RFC)
    GIT = "git"  # only git's facts (`import gitai` of a commit without a note): all unknown


class GitCommit(models.Model):
    """What git says about a commit (read by `manage.py import gitai` and the Agent Trace
    importer's --repo): its author, time, parents and diff totals."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    repo_name = models.CharField(max_length=255)
    sha = models.CharField(max_length=64)
    author_email = models.CharField(max_length=320, blank=True, default="")
    author_name = models.CharField(max_length=255, blank=True, default="")
    committed_at = models.DateTimeField()
    parents = models.JSONField(default=list, blank=True)
    first_parent = models.CharField(max_length=64, blank=True, default="")  # Agent Trace landing
    lines_added = models.PositiveIntegerField(default=0)
    lines_deleted = models.PositiveIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "repo_name", "sha"], name="gitcommit_uniq")
        ]
        indexes = [
            models.Index(fields=["team", "repo_name", "first_parent"], name="gitcommit_parent")
        ]

    def __str__(self) -> str:
        return f"{self.repo_name}@{self.sha[:12]}"


class AttributionRecord(models.Model):
    """A raw attribution payload as received, with its schema version: a git-ai note (keyed by
    its commit) or an Agent Trace record (keyed by its id). `commit_sha` is the commit its lines
    are attributed to; blank while unresolved (a trace whose landing commit is not known yet)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    source = models.CharField(max_length=16, choices=AttributionSourceKind.choices)
    repo_name = models.CharField(max_length=255)
    record_id = models.CharField(max_length=255)  # note: the commit SHA; trace: its id
    commit_sha = models.CharField(max_length=64, blank=True, default="")
    schema_version = models.CharField(max_length=64)
    content = models.TextField(blank=True, default="")  # a note's text as sent
    payload = models.JSONField(default=dict, blank=True)  # a trace's JSON; a note's metadata
    # What the figures read: {"files": {path: [[start, end, tool, model, kind], ...]}}
    parsed = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, default="resolved")  # resolved | unresolved
    detail = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "source", "repo_name", "record_id"], name="attrrecord_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["team", "repo_name", "commit_sha"], name="attrrecord_commit"),
            models.Index(fields=["team", "source", "record_id"], name="attrrecord_sha"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.record_id}"


class CommitAttribution(models.Model):
    """One commit's lines as the winning source tells them (docs/tools.md, the precedence):
    split into parts by tool, model and kind (ai, human, unknown)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    repo_name = models.CharField(max_length=255, null=True, blank=True)
    commit_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=AttributionSourceKind.choices)
    # SET_NULL: a member's delete resolves their vendor commits again first (the signal in
    # tracking/attribution/resolve.py); a git author's commits stay, unmatched.
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    author = models.CharField(max_length=320, blank=True, default="")  # as the source names it
    occurred_at = models.DateTimeField()
    primary = models.BooleanField(default=False)
    lines_added = models.PositiveIntegerField(default=0)
    lines_deleted = models.PositiveIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("team"),
                Coalesce("repo_name", Value("")),
                F("commit_hash"),
                name="commitattribution_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "occurred_at"], name="commitattr_team_occurred"),
            models.Index(fields=["member"], name="commitattr_member"),
        ]

    def __str__(self) -> str:
        return f"{self.repo_name or '(no repository)'}@{self.commit_hash[:12]} ({self.source})"


class AttributionKind(models.TextChoices):
    AI = "ai"
    HUMAN = "human"
    UNKNOWN = "unknown"


class AttributionPart(models.Model):
    attribution = models.ForeignKey(
        CommitAttribution, on_delete=models.CASCADE, related_name="parts"
    )
    tool = models.CharField(max_length=64, blank=True, default="")  # "" for human / unknown
    model = models.CharField(max_length=255, blank=True, default="")  # "" when not named
    kind = models.CharField(max_length=8, choices=AttributionKind.choices)
    lines_added = models.BigIntegerField(default=0)
    lines_deleted = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} {self.tool} {self.model}: +{self.lines_added} -{self.lines_deleted}"


class TeamToolDay(models.Model):
    """Attributed committed lines per UTC day of commit time, repository, branch, tool, model
    and kind (ai / human / unknown)."""

    summary_table = True  # derived from CommitAttribution: tracking/attribution/

    team = models.ForeignKey(Team, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    repo_known = models.BooleanField()
    repo_name = models.CharField(max_length=255)
    primary = models.BooleanField()
    tool = models.CharField(max_length=64)
    model = models.CharField(max_length=255)
    kind = models.CharField(max_length=8)
    commits = models.BigIntegerField(default=0)  # commits with a part of this key
    lines_added = models.BigIntegerField(default=0)
    lines_deleted = models.BigIntegerField(default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "repo_known", "repo_name", "primary", "tool", "model",
                        "kind"],
                name="teamtoolday_uniq",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.day} {self.tool} {self.model} {self.kind}: {self.lines_added}"
