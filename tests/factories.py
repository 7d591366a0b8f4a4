"""factory_boy factories for every model; tests build their data here and nowhere else."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from teams.models import ApiKey, Member, Team
from tracking.models import (
    ActivityDay,
    Change,
    Commit,
    CommitFile,
    Message,
    Source,
    Tool,
    UsageEvent,
)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"dev{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Developer {n}")


def make_key(team: Team, *, can_read: bool = True, can_ingest: bool = False, **kw):
    """(ApiKey, plain text) for a team."""
    return ApiKey.objects.create_key(team=team, can_read=can_read, can_ingest=can_ingest, **kw)


class CommitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commit

    member = factory.SubFactory(MemberFactory)
    team = factory.SelfAttribute("member.team")
    commit_hash = factory.Sequence(lambda n: f"{n:040x}")
    repo_name = "company/repo"
    branch_name = "main"
    is_primary_branch = True
    total_lines_added = 120
    total_lines_deleted = 30
    ide_next_lines_added = 50
    ide_next_lines_deleted = 10
    ide_agent_lines_added = 40
    ide_agent_lines_deleted = 5
    message = factory.Sequence(lambda n: f"commit message {n}")
    commit_ts = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    created_at = factory.LazyFunction(timezone.now)


class CommitFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitFile

    commit = factory.SubFactory(CommitFactory)
    file_path = factory.Sequence(lambda n: f"src/file{n}.go")
    file_extension = ".go"
    lines_added = 10
    lines_deleted = 2
    ai_lines_added = 6
    ai_lines_deleted = 1


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change

    member = factory.SubFactory(MemberFactory)
    team = factory.SelfAttribute("member.team")
    change_id = factory.Sequence(lambda n: f"{749356201 + n}")
    source = Source.AGENT
    model = "gpt-4o"
    accepted = True
    total_lines_added = 18
    total_lines_deleted = 4
    metadata = factory.LazyFunction(
        lambda: [
            {
                "fileName": "src/analytics/report.ts",
                "fileExtension": ".ts",
                "linesAdded": 12,
                "linesDeleted": 3,
            },
            {
                "fileName": "src/analytics/ui.tsx",
                "fileExtension": ".tsx",
                "linesAdded": 6,
                "linesDeleted": 1,
            },
        ]
    )
    created_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    member = factory.SubFactory(MemberFactory)
    team = factory.SelfAttribute("member.team")
    message_id = factory.Sequence(lambda n: f"msg-{n}")
    source = Source.AGENT
    model = "auto"
    conversation_id = factory.Sequence(lambda n: f"conv-{n // 3}")
    created_at = factory.LazyFunction(timezone.now)


class ActivityDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityDay

    member = factory.SubFactory(MemberFactory)
    team = factory.SelfAttribute("member.team")
    tool = Tool.CURSOR
    day = factory.LazyFunction(lambda: timezone.now().date())
    active = True
    lines_accepted_added = 40
    requests = 3
    source_schema = "test"


class UsageEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageEvent

    member = factory.SubFactory(MemberFactory)
    team = factory.SelfAttribute("member.team")
    tool = Tool.CURSOR
    event_key = factory.Sequence(lambda n: f"{n:064x}")
    occurred_at = factory.LazyFunction(timezone.now)
    model = "claude-4-opus"
    kind = "Usage-based"
    requests_costs = 1
    source_schema = "test"
    raw = factory.LazyFunction(dict)
