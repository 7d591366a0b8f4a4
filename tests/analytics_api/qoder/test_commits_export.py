"""GET ai-code-tracking/commits/export: streamed CSV with the seed's camelCase header."""

from __future__ import annotations

import csv
import io

from analytics_api.qoder import serialization
from tests.factories import CommitFactory
from tracking import reads

from .conftest import TRACKING_RANGE, assert_qoder_error, at, commit_time, in_range, qoder_url

PATH = "ai-code-tracking/commits/export"

# Copied from the seed (qoder-ai-code-api.zh.txt), line breaks joined.
SEED_HEADER = (
    "commitHash,userId,userEmail,userName,repoName,branchName,isPrimaryBranch,"
    "totalLinesAdded,totalLinesDeleted,"
    "ideNextLinesAdded,ideNextLinesDeleted,pluginNextLinesAdded,pluginNextLinesDeleted,"
    "ideAgentLinesAdded,ideAgentLinesDeleted,pluginAgentLinesAdded,pluginAgentLinesDeleted,"
    "cliAgentLinesAdded,cliAgentLinesDeleted,ideQuestLinesAdded,ideQuestLinesDeleted,"
    "ideInlineChatLinesAdded,ideInlineChatLinesDeleted,jbInlineChatLinesAdded,jbInlineChatLinesDeleted,"
    "nonAiLinesAdded,nonAiLinesDeleted,message,commitTs,createdAt"
)


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_streams_a_csv_attachment_with_the_seeds_header(qoder, world):
    response = qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ai-code-commits.csv"'
    first_line = b"".join(response.streaming_content).decode().split("\n", 1)[0]
    assert first_line == SEED_HEADER


def test_rows_hold_the_json_values_plus_the_member_name(qoder, team, owner):
    commit = CommitFactory(
        member=owner,
        repo_name=None,
        commit_ts=at(2, 8),
        created_at=at(2, 9),
        message='say "hi", then\nleave',
        is_primary_branch=None,
    )

    [row] = read_csv(qoder.get(qoder_url(team, PATH, **TRACKING_RANGE)))

    assert row["commitHash"] == commit.commit_hash
    assert row["userId"] == str(owner.uuid)
    assert row["userEmail"] == "owner@acme.example"
    assert row["userName"] == "Olivia Owner"
    assert row["repoName"] == "" and row["isPrimaryBranch"] == ""
    assert row["ideNextLinesAdded"] == str(commit.ide_next_lines_added)
    assert row["nonAiLinesAdded"] == str(
        commit.total_lines_added - commit.ide_next_lines_added - commit.ide_agent_lines_added
    )
    assert row["message"] == 'say "hi", then\nleave'
    assert (row["commitTs"], row["createdAt"]) == ("2025-06-02T08:00:00Z", "2025-06-02T09:00:00Z")


def test_booleans_are_true_and_false(qoder, world):
    rows = read_csv(qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE)))

    assert {r["isPrimaryBranch"] for r in rows} == {"true", "false"}


def test_it_exports_the_same_rows_as_the_list_in_the_same_order(qoder, world):
    rows = read_csv(
        qoder.get(qoder_url(world["team"], PATH, repoName="acme/api", **TRACKING_RANGE))
    )

    expected = sorted(
        (c for c in world["commits"] if c.repo_name == "acme/api" and in_range(commit_time(c))),
        key=lambda c: (commit_time(c), c.pk),
        reverse=True,
    )
    assert [r["commitHash"] for r in rows] == [c.commit_hash for c in expected]


def test_it_rejects_a_malformed_user_id(qoder, team):
    response = qoder.get(qoder_url(team, PATH, userId="x"))

    assert_qoder_error(response, 400, "BadRequest", "userId")


def test_batches_continue_after_the_last_row_even_across_equal_commit_times(team, owner):
    """The export reads keyset batches; with a batch of 2 and ties every row comes once."""
    made = [CommitFactory(member=owner, commit_ts=at(2 + n // 3)) for n in range(7)]
    filters = reads.Filters(start=at(1), end=at(9))
    qs = reads.commits(team=team, filters=filters, time_field="occurred_at")
    columns = serialization.commit_rows

    rows = list(reads.keyset_rows(qs, columns, time_field="occurred_at", batch=2))

    expected = sorted(made, key=lambda c: (c.commit_ts, c.pk), reverse=True)
    assert [r[0] for r in rows] == [c.commit_hash for c in expected]
    # the same rows as one query, columns included
    assert rows == list(columns(reads.newest_first(qs, time_field="occurred_at")))


def test_it_streams_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, **TRACKING_RANGE)
    qoder.get(url)

    with django_assert_num_queries(2):  # key lookup + one batch (under 10,000 rows)
        response = qoder.get(url)
        b"".join(response.streaming_content)
