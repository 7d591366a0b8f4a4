"""POST /ingest/v1/{commits,changes,messages}: the HTTP door (API.md section 6)."""

from __future__ import annotations

import json

import pytest

from teams.models import ApiKey, Team
from tests.conftest import basic
from tests.factories import ChangeFactory, MemberFactory, make_key
from tests.tracking.ingest.helpers import change_rows, commit_rows, post, stored_counts, utc
from tracking.models import Change, Commit


def change(**overrides) -> dict:
    record = {
        "changeId": "c-1",
        "userEmail": "dev@acme.example",
        "source": "AGENT",
        "model": "gpt-4o",
        "totalLinesAdded": 10,
        "totalLinesDeleted": 2,
        "metadata": [
            {"fileName": "a.ts", "fileExtension": "ts", "linesAdded": 10, "linesDeleted": 2}
        ],
        "createdAt": "2025-07-30T15:10:12.000Z",
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not ...}


def commit(**overrides) -> dict:
    record = {
        "commitHash": "abc123",
        "userEmail": "dev@acme.example",
        "repoName": "company/repo",
        "totalLinesAdded": 100,
        "totalLinesDeleted": 10,
        "tabLinesAdded": 20,
        "composerLinesAdded": 30,
        "createdAt": "2025-07-30T14:12:30.000Z",
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not ...}


def assert_rejected(response, *, index: int, field: str, words: str, team=None) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "Bad Request"
    assert {"index": index, "field": field} in [
        {"index": p["index"], "field": p["field"]} for p in body["problems"]
    ], body
    problem = next(p for p in body["problems"] if p["index"] == index and p["field"] == field)
    assert words in problem["message"]
    if team is not None:
        assert stored_counts(team) == (0, 0, 0, 0), "a rejected request stored something"
    return body


# -- success, identity, idempotency ---------------------------------------------------------


def test_it_answers_received_created_updated(ingest_api, team):
    response = post(ingest_api, "changes", [change(), change(changeId="c-2")])
    assert response.status_code == 200
    assert response.json() == {"received": 2, "created": 2, "updated": 0}


def test_sending_the_same_records_twice_changes_nothing(ingest_api, team):
    records = [change(), commit(), commit(commitHash="nullrepo", repoName=None)]
    post(ingest_api, "changes", records[:1])
    post(ingest_api, "commits", records[1:])
    version = Team.objects.get(pk=team.pk).data_version
    assert post(ingest_api, "changes", records[:1]).json() == {
        "received": 1,
        "created": 0,
        "updated": 0,
    }
    assert post(ingest_api, "commits", records[1:]).json() == {
        "received": 2,
        "created": 0,
        "updated": 0,
    }
    assert stored_counts(team)[:2] == (2, 1)
    # Nothing changed, so cached responses stay valid.
    assert Team.objects.get(pk=team.pk).data_version == version


def test_a_null_repo_name_is_one_identity(ingest_api, team):
    post(ingest_api, "commits", [commit(repoName=None)])
    response = post(ingest_api, "commits", [commit(repoName=None, totalLinesAdded=101)])
    assert response.json() == {"received": 1, "created": 0, "updated": 1}
    assert Commit.objects.filter(team=team).count() == 1
    assert Commit.objects.get(team=team).total_lines_added == 101


def test_the_same_hash_in_two_repos_is_two_commits(ingest_api, team):
    response = post(ingest_api, "commits", [commit(repoName="a"), commit(repoName="b")])
    assert response.json()["created"] == 2


def test_a_changed_record_is_updated_and_bumps_the_data_version(ingest_api, team):
    post(ingest_api, "changes", [change()])
    version = Team.objects.get(pk=team.pk).data_version
    response = post(ingest_api, "changes", [change(totalLinesAdded=11, model=None)])
    assert response.json() == {"received": 1, "created": 0, "updated": 1}
    row = change_rows(team)["c-1"]
    assert (row["total_lines_added"], row["model"]) == (11, None)
    assert Team.objects.get(pk=team.pk).data_version > version


def test_duplicates_within_one_batch_last_one_wins(ingest_api, team):
    response = post(ingest_api, "changes", [change(totalLinesAdded=1), change(totalLinesAdded=2)])
    assert response.json() == {"received": 2, "created": 1, "updated": 0}
    assert change_rows(team)["c-1"]["total_lines_added"] == 2


def test_created_at_is_kept_when_given(ingest_api, team):
    post(ingest_api, "changes", [change(createdAt="2024-01-02T03:04:05.678+02:00")])
    assert change_rows(team)["c-1"]["created_at"] == utc("2024-01-02T01:04:05.678")


def test_a_re_ingest_without_created_at_keeps_the_stored_one(ingest_api, team):
    post(ingest_api, "changes", [change(createdAt="2024-01-02T03:04:05Z")])
    post(ingest_api, "commits", [commit(createdAt=...)])
    stamped = commit_rows(team)["abc123"]["created_at"]
    response = post(ingest_api, "changes", [change(createdAt=..., totalLinesAdded=3)])
    assert response.json()["updated"] == 1
    assert change_rows(team)["c-1"]["created_at"] == utc("2024-01-02T03:04:05")
    assert post(ingest_api, "commits", [commit(createdAt=...)]).json()["updated"] == 0
    assert commit_rows(team)["abc123"]["created_at"] == stamped


def test_created_at_accepts_unix_milliseconds_and_naive_means_utc(ingest_api, team):
    post(
        ingest_api,
        "changes",
        [change(createdAt=1753888332000), change(changeId="c-2", createdAt="2025-07-30T15:12:12")],
    )
    rows = change_rows(team)
    assert rows["c-1"]["created_at"] == utc("2025-07-30T15:12:12")
    assert rows["c-2"]["created_at"] == utc("2025-07-30T15:12:12")


def test_the_same_change_id_in_two_teams_is_two_records(
    ingest_api, team, outsider_team, outsider_key, client
):
    post(ingest_api, "changes", [change()])
    other = type(client)()
    other.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    response = post(other, "changes", [change(totalLinesAdded=99)])
    assert response.json() == {"received": 1, "created": 1, "updated": 0}
    assert change_rows(team)["c-1"]["total_lines_added"] == 10
    assert change_rows(outsider_team)["c-1"]["total_lines_added"] == 99
    # Members are per team, too.
    assert outsider_team.members.filter(email="dev@acme.example").exists()


def test_ndjson_bodies_are_accepted(ingest_api, team):
    response = post(ingest_api, "changes", [change(), change(changeId="c-2")], ndjson=True)
    assert response.json() == {"received": 2, "created": 2, "updated": 0}


# -- dialects and members -------------------------------------------------------------------


def test_the_cursor_split_maps_tab_to_ide_next_and_composer_to_ide_agent(ingest_api, team):
    post(
        ingest_api,
        "commits",
        [
            commit(
                tabLinesDeleted=4, composerLinesDeleted=5, nonAiLinesAdded=50, nonAiLinesDeleted=1
            )
        ],
    )
    row = commit_rows(team)["abc123"]
    assert (row["ide_next_lines_added"], row["ide_next_lines_deleted"]) == (20, 4)
    assert (row["ide_agent_lines_added"], row["ide_agent_lines_deleted"]) == (30, 5)
    assert row["plugin_next_lines_added"] == row["cli_agent_lines_added"] == 0


def test_the_eight_qoder_pairs_are_stored_as_sent(ingest_api, team):
    pairs = [
        "ideNext",
        "pluginNext",
        "ideAgent",
        "pluginAgent",
        "cliAgent",
        "ideQuest",
        "ideInlineChat",
        "jbInlineChat",
    ]
    fields = {
        f"{p}Lines{s}": i * 2 + j
        for i, p in enumerate(pairs)
        for j, s in enumerate(("Added", "Deleted"))
    }
    post(ingest_api, "commits", [commit(tabLinesAdded=..., composerLinesAdded=..., **fields)])
    row = commit_rows(team)["abc123"]
    assert row["jb_inline_chat_lines_deleted"] == 15
    assert row["plugin_agent_lines_added"] == 6
    assert row["ide_next_lines_added"] == 0


def test_mixing_the_two_commit_dialects_is_refused(ingest_api, team):
    response = post(ingest_api, "commits", [commit(ideQuestLinesAdded=3)])
    assert_rejected(response, index=0, field="composerLinesAdded", words="not both", team=team)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("TAB", "NEXT"),
        ("tab", "NEXT"),
        ("COMPOSER", "AGENT"),
        ("Composer", "AGENT"),
        ("quest", "QUEST"),
        ("InlineChat", "INLINECHAT"),
    ],
)
def test_sources_of_both_dialects_are_accepted(ingest_api, team, given, stored):
    post(ingest_api, "changes", [change(source=given)])
    assert change_rows(team)["c-1"]["source"] == stored


def test_privacy_mode_metadata_keeps_file_name_absent(ingest_api, team):
    metadata = [
        {"fileExtension": "TSX", "linesAdded": 1, "linesDeleted": 0},
        {"fileName": None, "fileExtension": ".Go", "linesAdded": 2},
    ]
    post(ingest_api, "changes", [change(metadata=metadata)])
    assert change_rows(team)["c-1"]["metadata"] == [
        {"fileExtension": ".tsx", "linesAdded": 1, "linesDeleted": 0},
        {"fileExtension": ".go", "linesAdded": 2, "linesDeleted": 0},
    ]


def test_accepted_defaults_to_true_and_false_is_kept(ingest_api, team):
    post(ingest_api, "changes", [change(), change(changeId="c-2", source="TAB", accepted=False)])
    rows = change_rows(team)
    assert (rows["c-1"]["accepted"], rows["c-2"]["accepted"]) == (True, False)


def test_members_are_created_once_per_email_case_insensitively(ingest_api, team, owner):
    records = [
        change(userEmail="New.Dev@Acme.Example"),
        change(changeId="c-2", userEmail="new.dev@acme.example", userName="New Dev"),
        change(changeId="c-3", userEmail="OWNER@acme.example"),
    ]
    post(ingest_api, "changes", records)
    new = team.members.get(email="new.dev@acme.example")
    assert new.display_name == "new.dev"  # the first record's: it had no userName
    assert team.members.count() == 2
    assert change_rows(team)["c-3"]["member"] == ("owner@acme.example", "Olivia Owner")


def test_a_new_member_takes_the_user_name(ingest_api, team):
    post(ingest_api, "commits", [commit(userEmail="zs@acme.example", userName="张三")])
    assert team.members.get(email="zs@acme.example").display_name == "张三"


@pytest.mark.parametrize("form", ["public", "numeric", "uuid"])
def test_user_id_may_name_a_known_member_instead_of_an_email(ingest_api, team, teammate, form):
    user_id = {"public": teammate.public_id, "numeric": teammate.pk, "uuid": str(teammate.uuid)}[
        form
    ]
    response = post(ingest_api, "changes", [change(userEmail=..., userId=user_id)])
    assert response.status_code == 200, response.json()
    assert change_rows(team)["c-1"]["member"][0] == "teammate@acme.example"


def test_a_user_id_of_another_team_is_not_a_member(ingest_api, team, outsider):
    response = post(ingest_api, "changes", [change(userEmail=..., userId=outsider.public_id)])
    assert_rejected(response, index=0, field="userId", words="no member", team=team)


def test_commit_files_are_stored_and_replaced_on_re_ingest(ingest_api, team):
    files = [
        {
            "filePath": "src/a.py",
            "fileExtension": "py",
            "linesAdded": 5,
            "linesDeleted": 1,
            "aiLinesAdded": 3,
            "aiLinesDeleted": 0,
        }
    ]
    post(ingest_api, "commits", [commit(files=files)])
    assert commit_rows(team)["abc123"]["files"] == [("src/a.py", ".py", 5, 1, 3, 0)]
    assert post(ingest_api, "commits", [commit(files=files)]).json()["updated"] == 0
    files = [{"fileExtension": ".md", "linesAdded": 2}]
    assert post(ingest_api, "commits", [commit(files=files)]).json()["updated"] == 1
    assert commit_rows(team)["abc123"]["files"] == [(None, ".md", 2, 0, 0, 0)]
    # Without `files` the stored rows stay (a CSV re-import carries none).
    post(ingest_api, "commits", [commit()])
    assert commit_rows(team)["abc123"]["files"] == [(None, ".md", 2, 0, 0, 0)]


def test_range_annotations_are_kept_when_a_record_omits_them(ingest_api, team):
    annotations = [
        {
            "filePath": "a.go",
            "groups": [
                {
                    "conversationId": "s1",
                    "source": "tab",
                    "productType": "IDE",
                    "type": "Added",
                    "ranges": [{"start": 1, "end": 1}],
                }
            ],
        }
    ]
    post(ingest_api, "commits", [commit(rangeAnnotations=annotations)])
    stored = commit_rows(team)["abc123"]["range_annotations"]
    assert stored[0]["groups"][0] == {
        "conversationId": "s1",
        "source": "NEXT",
        "productType": "ide",
        "type": "added",
        "ranges": [{"start": 1, "end": 1}],
    }
    assert post(ingest_api, "commits", [commit()]).json()["updated"] == 0
    assert commit_rows(team)["abc123"]["range_annotations"] == stored


# -- bad input: a clear 400 naming record and field, nothing stored ------------------------


@pytest.mark.parametrize(
    ("kind", "record", "field", "words"),
    [
        ("commits", commit(commitHash=...), "commitHash", "required"),
        ("commits", commit(userEmail=...), "userEmail", "required"),
        ("changes", change(changeId=...), "changeId", "required"),
        ("changes", change(source=...), "source", "must be one of"),
        ("messages", {"messageId": "m", "userEmail": "a@b.example"}, "source", "must be one of"),
        ("changes", change(totalLinesAdded=-1), "totalLinesAdded", "non-negative integer"),
        ("changes", change(totalLinesAdded=1.5), "totalLinesAdded", "non-negative integer"),
        ("changes", change(totalLinesAdded="12"), "totalLinesAdded", "non-negative integer"),
        ("changes", change(totalLinesDeleted=True), "totalLinesDeleted", "non-negative integer"),
        ("changes", change(totalLinesAdded=2**31), "totalLinesAdded", "at most"),
        ("commits", commit(tabLinesAdded=-3), "tabLinesAdded", "non-negative integer"),
        ("changes", change(source="PASTE"), "source", "unknown source 'PASTE'"),
        ("changes", change(userEmail="not-an-email"), "userEmail", "not a valid email"),
        ("changes", change(createdAt="yesterday-ish"), "createdAt", "ISO 8601"),
        ("commits", commit(commitTs="2025-13-45T00:00:00Z"), "commitTs", "ISO 8601"),
        ("changes", change(createdAt=10**17), "createdAt", "outside the supported range"),
        (
            "changes",
            change(metadata=[{"fileExtension": "ts", "linesAdded": -2}]),
            "metadata[0].linesAdded",
            "non-negative",
        ),
        ("changes", change(metadata={"fileName": "a"}), "metadata", "must be a list"),
        ("changes", change(accepted="yes"), "accepted", "true, false"),
        ("changes", change(totalLinesAded=3), "totalLinesAded", "unknown field"),
        ("commits", commit(isPrimaryBranch="true"), "isPrimaryBranch", "true, false"),
        ("commits", commit(commitHash="x" * 65), "commitHash", "at most 64"),
        ("commits", commit(message="a\x00b"), "message", "NUL"),
        (
            "commits",
            commit(
                rangeAnnotations=[
                    {
                        "filePath": "a",
                        "groups": [
                            {
                                "conversationId": "c",
                                "source": "AGENT",
                                "productType": "ide",
                                "type": "added",
                                "ranges": [{"start": 5, "end": 2}],
                            }
                        ],
                    }
                ]
            ),
            "rangeAnnotations[0].groups[0].ranges[0].start",
            "must not be after end",
        ),
        (
            "commits",
            commit(
                rangeAnnotations=[
                    {
                        "filePath": "a",
                        "groups": [
                            {
                                "conversationId": "c",
                                "source": "AGENT",
                                "productType": "ide",
                                "type": "moved",
                                "ranges": [],
                            }
                        ],
                    }
                ]
            ),
            "rangeAnnotations[0].groups[0].type",
            "'added' or 'deleted'",
        ),
        ("commits", commit(files=[{"linesAdded": 1}]), "files[0].fileExtension", "required"),
    ],
)
def test_a_bad_record_is_a_400_naming_record_and_field(
    ingest_api, team, kind, record, field, words
):
    good = change(changeId="ok") if kind == "changes" else commit(commitHash="ok")
    if kind == "messages":
        good = {"messageId": "ok", "userEmail": "a@b.example", "source": "AGENT"}
    response = post(ingest_api, kind, [good, record])
    body = assert_rejected(response, index=1, field=field, words=words, team=team)
    assert "nothing was stored" in body["message"]
    assert body["problemCount"] == len(body["problems"])


def test_every_bad_record_is_listed_with_its_index(ingest_api, team):
    records = [change(), change(changeId="b", source="X"), change(changeId="c", userEmail="x")]
    body = post(ingest_api, "changes", records).json()
    assert [(p["index"], p["field"]) for p in body["problems"]] == [(1, "source"), (2, "userEmail")]
    assert body["message"].startswith("2 invalid records")


def test_the_problem_list_is_capped_and_says_how_many(ingest_api, team):
    body = post(
        ingest_api, "changes", [change(changeId=str(i), source="X") for i in range(150)]
    ).json()
    assert len(body["problems"]) == 100
    assert body["problemCount"] == 150


def test_a_record_that_is_not_an_object_is_named(ingest_api, team):
    assert_rejected(
        post(ingest_api, "changes", [change(), 7]),
        index=1,
        field="",
        words="JSON object",
        team=team,
    )


def test_malformed_json_names_line_and_column(ingest_api, team):
    response = ingest_api.post(
        "/ingest/v1/changes", '[\n{"changeId": "a",,}]', content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["line"], body["column"]) == (2, 18)
    assert "Malformed JSON at line 2, column 18" in body["message"]
    assert stored_counts(team) == (0, 0, 0, 0)


def test_malformed_ndjson_names_the_line(ingest_api, team):
    body = '{"changeId": "a"}\n{"changeId": \n'
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/x-ndjson")
    assert response.status_code == 400
    assert response.json()["line"] == 2


@pytest.mark.parametrize("body", ["", "   \n"])
def test_an_empty_body_is_a_400(ingest_api, team, body):
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/json")
    assert response.status_code == 400
    assert "empty" in response.json()["message"]


def test_an_empty_array_stores_nothing_and_says_so(ingest_api, team):
    assert post(ingest_api, "changes", []).json() == {"received": 0, "created": 0, "updated": 0}


def test_a_body_that_is_not_an_array_or_objects_is_a_400(ingest_api, team):
    response = ingest_api.post("/ingest/v1/changes", "42", content_type="application/json")
    assert_rejected(response, index=0, field="", words="JSON object", team=team)


def test_an_unsupported_content_type_is_a_415(ingest_api, team):
    response = ingest_api.post("/ingest/v1/changes", "a,b", content_type="text/csv")
    assert response.status_code == 415
    assert "application/x-ndjson" in response.json()["message"]


@pytest.mark.parametrize("ndjson", [False, True])
def test_a_batch_over_the_limit_is_a_400_naming_the_limit(ingest_api, team, settings, ndjson):
    settings.INGEST_MAX_RECORDS = 3
    records = [change(changeId=str(i)) for i in range(4)]
    response = post(ingest_api, "changes", records, ndjson=ndjson)
    assert response.status_code == 400
    assert "at most 3 per request" in response.json()["message"]
    assert response.json()["limit"] == 3
    assert stored_counts(team) == (0, 0, 0, 0)
    assert post(ingest_api, "changes", records[:3], ndjson=ndjson).status_code == 200


def test_a_body_over_the_byte_limit_is_a_413(ingest_api, team, settings):
    settings.INGEST_MAX_BODY_BYTES = 100
    response = post(ingest_api, "changes", [change(), change(changeId="2")])
    assert response.status_code == 413
    assert "100 bytes" in response.json()["message"]


def test_the_body_limit_is_a_setting_from_the_environment_defaulting_to_128_mib():
    from django.conf import settings as django_settings

    assert django_settings.INGEST_MAX_BODY_BYTES == 128 << 20


def test_a_big_body_beyond_djangos_upload_limit_is_read(ingest_api, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(ingest_api, "changes", [change(changeId=str(i)) for i in range(50)])
    assert response.json()["created"] == 50


# -- keys -----------------------------------------------------------------------------------


def test_a_read_only_key_is_a_403_naming_the_ingest_permission(api, team):
    response = post(api, "changes", [change()])
    assert response.status_code == 403
    assert "not allowed to ingest" in response.json()["message"]
    assert Change.objects.count() == 0


def test_a_revoked_key_is_a_401(client, team):
    key, plain = make_key(team, can_ingest=True)
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)
    client.credentials(HTTP_AUTHORIZATION=basic(plain))
    response = post(client, "changes", [change()])
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]
    assert Change.objects.count() == 0


def test_no_key_is_a_401(client, team):
    assert post(client, "changes", [change()]).status_code == 401


def test_a_bearer_key_may_ingest(client, team, ingest_key):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ingest_key}")
    assert (
        post(
            client, "messages", [{"messageId": "m", "userEmail": "a@b.example", "source": "agent"}]
        ).status_code
        == 200
    )


def test_an_existing_member_is_reused_not_renamed(ingest_api, team, owner):
    ChangeFactory(member=owner, change_id="old")
    post(ingest_api, "changes", [change(userEmail="owner@acme.example", userName="Other Name")])
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"
    assert MemberFactory._meta.model.objects.filter(team=team).count() == 1


# -- hostile input: a 400, never a 500 ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '[{"changeId": ' + "9" * 5000 + "}]", '{"a": ' * 50_000],
)
def test_pathological_json_is_a_400(ingest_api, team, body):
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/json")
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("createdAt", "0001-01-01T00:00:00+14:00"),
        ("createdAt", "9999-12-31T23:59:59-14:00"),
        ("userEmail", "a" * 250 + "@acme.example"),
        ("model", "m" * 256),
        ("metadata", [{"fileExtension": "x" * 40}]),
        ("metadata", [{"fileExtension": "ts", "fileName": "a\x00b"}]),
    ],
)
def test_values_the_database_cannot_hold_are_a_400(ingest_api, team, field, value):
    response = post(ingest_api, "changes", [change(**{field: value})])
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"].startswith(field)
    assert stored_counts(team) == (0, 0, 0, 0)


def test_an_unpaired_surrogate_is_a_400(ingest_api, team):
    body = '[{"changeId": "\\ud800", "userEmail": "a@acme.example", "source": "TAB"}]'
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["message"]


def test_absent_metadata_is_empty_for_a_new_change_and_kept_for_a_stored_one(ingest_api, team):
    post(ingest_api, "changes", [change(), change(changeId="c-2", metadata=...)])
    assert change_rows(team)["c-2"]["metadata"] == []
    response = post(ingest_api, "changes", [change(metadata=None), change(metadata=...)])
    assert response.json()["updated"] == 0
    assert change_rows(team)["c-1"]["metadata"][0]["fileName"] == "a.ts"
    post(ingest_api, "changes", [change(metadata=[])])
    assert change_rows(team)["c-1"]["metadata"] == []


# -- values at the edges: a clear 400 (never a 500), the exact value, no needless 400 ----------


@pytest.mark.parametrize(
    ("field", "value"),
    [("createdAt", "²"), ("userId", "²"), ("userId", "9" * 23), ("userId", "9" * 5000)],
)
def test_unicode_digits_and_huge_user_ids_are_a_400_not_a_500(ingest_api, team, field, value):
    record = change(**{field: value}, userEmail=... if field == "userId" else "a@acme.example")
    response = post(ingest_api, "changes", [record])
    assert_rejected(response, index=0, field=field, words="", team=team)


def test_two_pairs_at_the_integer_maximum_are_refused_so_the_row_sum_cannot_overflow(
    ingest_api, team
):
    big = 2**31 - 1
    record = commit(tabLinesAdded=..., composerLinesAdded=..., ideNextLinesAdded=big)
    response = post(ingest_api, "commits", [{**record, "ideAgentLinesAdded": big}])
    assert_rejected(response, index=0, field="ideNextLinesAdded", words="at most", team=team)


def test_a_unix_seconds_created_at_is_read_as_seconds_not_1970(ingest_api, team):
    post(ingest_api, "changes", [change(createdAt=1753884723)])
    assert change_rows(team)["c-1"]["created_at"] == utc("2025-07-30T14:12:03")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_ndjson_lines_split_only_on_newline_not_on_unicode_line_separators(
    ingest_api, team, separator
):
    records = [change(model=f"gpt{separator}4o"), change(changeId="c-2")]
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\r\n"
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content
    assert change_rows(team)["c-1"]["model"] == f"gpt{separator}4o"


def test_a_pretty_printed_object_is_told_to_send_an_array(ingest_api, team):
    body = json.dumps(change(), indent=2)
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/json")
    assert response.status_code == 400
    assert "Send a JSON array of records" in response.json()["message"]


@pytest.mark.parametrize(
    ("kind", "field", "items"),
    [
        ("changes", "metadata", [{"fileExtension": "ts"}] * 1001),
        ("commits", "files", [{"filePath": "a.ts"}] * 10_001),
        ("commits", "rangeAnnotations", [{"filePath": "a.ts", "groups": []}] * 10_001),
    ],
)
def test_nested_lists_over_their_cap_are_a_400_naming_the_field(
    ingest_api, team, kind, field, items
):
    record = (change if kind == "changes" else commit)(**{field: items})
    response = post(ingest_api, kind, [record])
    assert_rejected(response, index=0, field=field, words="at most", team=team)


def test_metadata_at_its_cap_is_accepted(ingest_api, team):
    response = post(ingest_api, "changes", [change(metadata=[{"fileExtension": "ts"}] * 1000)])
    assert response.status_code == 200, response.content


def test_hex_commit_hashes_are_stored_lower_case_so_one_commit_is_one_identity(ingest_api, team):
    post(ingest_api, "commits", [commit(commitHash="ABCDEF12")])
    response = post(ingest_api, "commits", [commit(commitHash="abcdef12")])
    assert response.json()["updated"] == 0 and response.json()["created"] == 0
    assert list(commit_rows(team)) == ["abcdef12"]


def test_non_hex_commit_hashes_are_stored_as_sent(ingest_api, team):
    post(ingest_api, "commits", [commit(commitHash="Release-1")])
    assert list(commit_rows(team)) == ["Release-1"]


def test_an_over_limit_content_length_is_refused_before_the_body_is_read(live_server, team):
    """The client declares 1 GiB and sends 10 bytes: the 413 comes at once, not after a wait
    for (or a read of) the rest."""
    import socket
    from urllib.parse import urlsplit

    from tests.conftest import basic
    from tests.factories import make_key

    _k, key = make_key(team, can_ingest=True)
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            b"POST /ingest/v1/changes HTTP/1.1\r\nHost: localhost\r\n"
            + f"Authorization: {basic(key)}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n[{}, {}, {}]"
        )
        head = b""
        while b"INGEST_MAX_BODY_BYTES" not in head and (chunk := sock.recv(65536)):
            head += chunk
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert b"Content-Length 1073741824" in head


@pytest.fixture
def by_element(monkeypatch):
    """A big JSON array is read one element at a time: the same answers as the whole parse."""
    from tracking.ingest import readers

    monkeypatch.setattr(readers, "ARRAY_WHOLE_MAX_CHARS", 0)


def test_a_big_array_read_by_element_stores_every_record(ingest_api, team, by_element):
    records = [change(changeId=str(i)) for i in range(5)]
    response = ingest_api.post("/ingest/v1/changes", records, format="json")
    assert response.json() == {"received": 5, "created": 5, "updated": 0}


def test_a_big_array_stops_at_the_record_limit(ingest_api, team, by_element, settings):
    settings.INGEST_MAX_RECORDS = 3
    records = [change(changeId=str(i)) for i in range(10)]
    response = ingest_api.post("/ingest/v1/changes", records, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Too many records: more than 3")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", None),
        ('[{"a": 1} {"b": 2}]', "Malformed JSON"),
        ('[{"a": 1}] x', "Malformed JSON: extra data"),
        ('[{"a": "\\ud800"}]', "Malformed JSON: a string holds an unpaired surrogate"),
        ('[{"a": 1},', "Malformed JSON"),
    ],
)
def test_a_big_array_refuses_what_the_whole_parse_refuses(
    ingest_api, team, by_element, body, message
):
    response = ingest_api.post("/ingest/v1/changes", body, content_type="application/json")
    if message is None:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 400
        assert response.json()["message"].startswith(message), response.json()
