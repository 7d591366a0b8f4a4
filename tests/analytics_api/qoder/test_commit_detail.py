"""POST ai-code-tracking/commits/detail: range annotations in request order, 1 to 50 hashes."""

from __future__ import annotations

import json

import pytest

from tests.factories import CommitFactory

from .conftest import assert_qoder_error, qoder_url

PATH = "ai-code-tracking/commits/detail"

ANNOTATIONS = [
    {
        "filePath": "src/main.go",
        "groups": [
            {
                "conversationId": "session-001",
                "source": "AGENT",
                "productType": "ide",
                "type": "added",
                "ranges": [{"start": 47, "end": 48}, {"start": 55, "end": 60}],
            }
        ],
    }
]


def post(client, team, body):
    return client.post(qoder_url(team, PATH), body, format="json")


def test_it_answers_in_request_order_with_empty_annotations_for_unknown_hashes(qoder, team, owner):
    CommitFactory(member=owner, commit_hash="abc123def456", range_annotations=ANNOTATIONS)
    CommitFactory(member=owner, commit_hash="000fff", range_annotations=None)

    response = post(qoder, team, {"commitHashes": ["789ghi012jkl", "abc123def456", "000fff"]})

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "commits": [
                {"commitHash": "789ghi012jkl", "rangeAnnotations": []},
                {"commitHash": "abc123def456", "rangeAnnotations": ANNOTATIONS},
                {"commitHash": "000fff", "rangeAnnotations": []},
            ]
        },
    }


def test_branch_limits_the_commits_looked_at(qoder, team, owner):
    CommitFactory(member=owner, commit_hash="abc", branch_name="dev", range_annotations=ANNOTATIONS)

    on_main = post(qoder, team, {"commitHashes": ["abc"], "branch": "main"}).json()
    on_dev = post(qoder, team, {"commitHashes": ["abc"], "branch": "dev"}).json()

    assert on_main["data"]["commits"][0]["rangeAnnotations"] == []
    assert on_dev["data"]["commits"][0]["rangeAnnotations"] == ANNOTATIONS


def test_a_hash_in_two_repos_gets_the_annotations_of_both(qoder, team, owner):
    other = [{**ANNOTATIONS[0], "filePath": "lib/other.go"}]
    CommitFactory(member=owner, commit_hash="abc", repo_name="a", range_annotations=ANNOTATIONS)
    CommitFactory(member=owner, commit_hash="abc", repo_name="b", range_annotations=other)

    body = post(qoder, team, {"commitHashes": ["abc"]}).json()

    assert body["data"]["commits"][0]["rangeAnnotations"] == ANNOTATIONS + other


def test_a_repeated_hash_is_answered_each_time(qoder, team, owner):
    CommitFactory(member=owner, commit_hash="abc", range_annotations=ANNOTATIONS)

    body = post(qoder, team, {"commitHashes": ["abc", "abc"]}).json()

    assert [c["rangeAnnotations"] for c in body["data"]["commits"]] == [ANNOTATIONS, ANNOTATIONS]


def test_another_teams_commit_is_unknown(qoder, team, outsider):
    CommitFactory(member=outsider, commit_hash="abc", range_annotations=ANNOTATIONS)

    body = post(qoder, team, {"commitHashes": ["abc"]}).json()

    assert body["data"]["commits"] == [{"commitHash": "abc", "rangeAnnotations": []}]


def test_it_accepts_50_hashes(qoder, team):
    response = post(qoder, team, {"commitHashes": [f"h{n}" for n in range(50)]})

    assert response.status_code == 200
    assert len(response.json()["data"]["commits"]) == 50


@pytest.mark.parametrize("count", [0, 51])
def test_it_rejects_0_or_more_than_50_hashes(qoder, team, count):
    response = post(qoder, team, {"commitHashes": [f"h{n}" for n in range(count)]})

    assert_qoder_error(response, 400, "BadRequest", "commitHashes", "50")


@pytest.mark.parametrize("value", ["abc123", {"a": 1}, None, [1, 2], [""]])
def test_it_rejects_commit_hashes_that_are_not_a_list_of_strings(qoder, team, value):
    response = post(qoder, team, {"commitHashes": value})

    assert_qoder_error(response, 400, "BadRequest", "commitHashes")


def test_it_rejects_a_body_without_commit_hashes(qoder, team):
    assert_qoder_error(post(qoder, team, {}), 400, "BadRequest", "commitHashes")


def test_it_rejects_a_body_that_is_not_an_object(qoder, team):
    assert_qoder_error(post(qoder, team, ["abc"]), 400, "BadRequest", "commitHashes")


def test_it_rejects_malformed_json(qoder, team):
    response = qoder.post(qoder_url(team, PATH), "{nope", content_type="application/json")

    assert_qoder_error(response, 400, "BadRequest", "JSON")


def test_it_rejects_a_branch_that_is_not_a_string(qoder, team):
    response = post(qoder, team, {"commitHashes": ["abc"], "branch": 3})

    assert_qoder_error(response, 400, "BadRequest", "branch")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, team, owner, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    for n in range(5):
        CommitFactory(member=owner, commit_hash=f"h{n}", range_annotations=ANNOTATIONS)
    body = {"commitHashes": [f"h{n}" for n in range(50)]}
    post(qoder, team, body)

    with django_assert_num_queries(2):  # key lookup + one query for every hash
        assert post(qoder, team, body).status_code == 200


@pytest.mark.parametrize("bad", ["", "   ", "a" * 65])
def test_it_rejects_an_empty_blank_or_too_long_hash_naming_commit_hashes(qoder, team, bad):
    assert_qoder_error(
        post(qoder, team, {"commitHashes": [bad]}), 400, "BadRequest", "commitHashes"
    )


@pytest.mark.parametrize("field", ["commitHashes", "branch"])
@pytest.mark.parametrize("bad", ["ab\ud800cd", "ab\x00cd", "ab\x1bcd"])
def test_it_rejects_unpaired_surrogates_and_control_characters_naming_the_field(
    qoder, team, field, bad
):
    body = {"commitHashes": ["abc123"], field: [bad] if field == "commitHashes" else bad}
    # A lone surrogate cannot be UTF-8 encoded by the test client: send the JSON escape.
    raw = json.dumps(body)  # ensure_ascii keeps "\\ud800" as an escape
    response = qoder.post(qoder_url(team, PATH), raw, content_type="application/json")

    assert_qoder_error(response, 400, "BadRequest", field)


def test_a_hex_hash_is_found_whatever_its_case_and_answered_as_sent(qoder, team, owner):
    CommitFactory(member=owner, commit_hash="abc123def456", range_annotations=ANNOTATIONS)

    response = post(qoder, team, {"commitHashes": [" ABC123def456 "]})

    assert response.status_code == 200
    assert response.json()["data"]["commits"] == [
        {"commitHash": "ABC123def456", "rangeAnnotations": ANNOTATIONS}
    ]


def test_a_body_that_is_not_json_is_a_415_in_the_qoder_envelope(qoder, team):
    response = qoder.post(qoder_url(team, PATH), "commitHashes=abc", content_type="text/plain")

    assert_qoder_error(response, 415, "BadRequest")


def test_a_body_over_the_upload_limit_is_a_413_in_the_qoder_envelope(qoder, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = {"commitHashes": ["a" * 40] * 50}

    response = post(qoder, team, body)

    assert_qoder_error(response, 413, "BadRequest")
