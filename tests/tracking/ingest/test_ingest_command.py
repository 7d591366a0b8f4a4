"""manage.py ingest: the file door (API.md section 6)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.tracking.ingest.helpers import (
    FIXTURES,
    change_rows,
    commit_rows,
    message_rows,
    run_ingest,
    stored_counts,
    utc,
)
from tracking.ingest import readers
from tracking.management.commands import ingest as ingest_command

CURSOR_CHANGES_HEADER = (
    "change_id,user_id,user_email,source,model,total_lines_added,total_lines_deleted,"
    "created_at,metadata_json"
)
CURSOR_COMMITS_HEADER = (FIXTURES / "cursor/commits.csv").read_text().splitlines()[0]


def change(i: int, **overrides) -> dict:
    record = {
        "changeId": f"c-{i}",
        "userEmail": f"dev{i % 3}@acme.example",
        "source": "TAB",
        "totalLinesAdded": i,
        "createdAt": "2025-07-30T15:10:12.000Z",
    }
    return {**record, **overrides}


def ndjson(tmp_path, records, name="changes.ndjson"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def changes_csv(tmp_path, *rows: str, header: str = CURSOR_CHANGES_HEADER):
    path = tmp_path / "changes.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


GOOD_CSV_ROW = "1,user_x,dev@acme.example,TAB,,8,2,2025-07-30T15:08:45.000Z,[]"


def failure(team, *args) -> str:
    with pytest.raises(CommandError) as raised:
        run_ingest(*args)
    return str(raised.value)


def test_it_loads_ndjson_and_prints_a_summary(team, tmp_path):
    out, _ = run_ingest(ndjson(tmp_path, [change(i) for i in range(5)]))
    assert "changes: received 5, created 5, updated 0, skipped 0" in out
    assert "rows/s" in out
    assert stored_counts(team) == (0, 5, 0, 3)


def test_loading_a_file_twice_creates_and_updates_nothing(team, tmp_path):
    path = ndjson(tmp_path, [change(i) for i in range(5)])
    run_ingest(path)
    out, _ = run_ingest(path)
    assert "received 5, created 0, updated 0" in out
    assert stored_counts(team)[1] == 5


def test_the_team_may_be_named_by_uuid(team, tmp_path):
    run_ingest(ndjson(tmp_path, [change(1)]), team=str(team.uuid))
    assert stored_counts(team)[1] == 1


def test_an_unknown_team_is_a_clear_error(team, tmp_path):
    with pytest.raises(CommandError, match="No team with slug 'nope'"):
        run_ingest(ndjson(tmp_path, [change(1)]), team="nope")


def test_a_file_that_does_not_exist_is_a_clear_error(team, tmp_path):
    with pytest.raises(CommandError, match=r"No such file: .*missing\.ndjson"):
        run_ingest(tmp_path / "missing.ndjson")


def test_a_bad_row_stops_the_file_with_its_line_and_stores_nothing(team, tmp_path):
    records = [change(i) for i in range(30)]
    records[25]["totalLinesAdded"] = -4
    path = ndjson(tmp_path, records)
    # Small batches: rows before the bad one were already written, and must be rolled back.
    err = _stderr_of_failure(path, "--batch-size", "10")
    assert f"{path}:26: totalLinesAdded: must be a non-negative integer, got -4" in err
    assert "1 of 1 file(s) not loaded" in failure(team, path, "--batch-size", "10")
    assert stored_counts(team) == (0, 0, 0, 0)


def test_the_error_reads_file_line_field_message(team, tmp_path):
    path = ndjson(tmp_path, [change(0), change(1, source="PASTE")])
    err = _stderr_of_failure(path)
    assert f"{path}:2: source: unknown source 'PASTE'" in err
    assert "nothing of this file was stored" in err


def _stderr_of_failure(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "ingest", *[str(a) for a in args], team="acme", stderr=err, stdout=io.StringIO()
        )
    return err.getvalue()


def test_skip_invalid_reports_bad_rows_and_loads_the_rest(team, tmp_path):
    records = [change(i) for i in range(6)]
    records[2]["userEmail"] = "nobody"
    records[4]["createdAt"] = "soon"
    path = ndjson(tmp_path, records)
    path.write_text(path.read_text() + "{not json\n")
    out, err = run_ingest(path, "--skip-invalid")
    assert "received 7, created 4, updated 0, skipped 3" in out
    assert f"{path}:3: userEmail: is not a valid email address: 'nobody' (skipped)" in err
    assert f"{path}:5: createdAt: must be an ISO 8601 timestamp" in err
    assert f"{path}:7: malformed JSON" in err
    assert sorted(change_rows(team)) == ["c-0", "c-1", "c-3", "c-5"]


def test_a_bad_file_does_not_stop_the_others(team, tmp_path):
    good = ndjson(tmp_path, [change(1)], name="good.ndjson")
    bad = ndjson(tmp_path, [change(2, source=None)], name="bad.ndjson")
    message = failure(team, bad, good)
    assert f"1 of 2 file(s) not loaded (nothing of them was stored): {bad}" in message
    assert sorted(change_rows(team)) == ["c-1"]


def test_malformed_ndjson_names_the_line(team, tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_text('{"changeId": "a"}\n\n{"changeId": \n')
    err = _stderr_of_failure(path)
    assert f"{path}:3: malformed JSON: Expecting value at column 14" in err
    assert f"{path}:1: source: must be one of" in err  # every problem of the batch is listed
    assert stored_counts(team) == (0, 0, 0, 0)


def test_a_json_array_is_streamed_across_read_chunks(team, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK", 7)
    path = tmp_path / "changes.json"
    path.write_text("[\n" + ",\n".join(json.dumps(change(i)) for i in range(20)) + "\n]\n")
    out, _ = run_ingest(path)
    assert "received 20, created 20" in out
    assert change_rows(team)["c-19"]["total_lines_added"] == 19


def test_a_json_array_error_names_the_record_line(team, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK", 5)
    path = tmp_path / "changes.json"
    records = [json.dumps(change(i)) for i in range(3)]
    records[2] = json.dumps(change(2, totalLinesAdded=1.5))
    path.write_text("[\n" + ",\n".join(records) + "\n]")
    err = _stderr_of_failure(path)
    assert f"{path}:4: totalLinesAdded: must be a non-negative integer, got 1.5" in err


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[{"changeId": "a", }]', 1, "malformed JSON"),
        ('[{"changeId": "a"} {"changeId": "b"}]', 1, "expected ',' or ']'"),
        ('[\n{"changeId": "a"}\n', 3, "malformed JSON"),
        ('[{"changeId": "a"}] x', 1, "extra data"),
    ],
)
def test_a_malformed_json_array_is_an_error_with_its_line(team, tmp_path, text, line, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    err = _stderr_of_failure(path, "--kind", "changes")
    assert f"{path}:{line}: " in err and words in err
    assert stored_counts(team) == (0, 0, 0, 0)


def test_the_kind_of_a_json_file_is_inferred_or_asked_for(team, tmp_path):
    messages = ndjson(
        tmp_path, [{"messageId": "m1", "userEmail": "a@acme.example", "source": "AGENT"}]
    )
    run_ingest(messages)
    assert sorted(message_rows(team)) == ["m1"]
    odd = ndjson(tmp_path, [{"userEmail": "a@acme.example"}], name="odd.ndjson")
    assert "use --kind" in _stderr_of_failure(odd)


def test_an_empty_file_is_an_error(team, tmp_path):
    path = tmp_path / "empty.ndjson"
    path.write_text("\n")
    assert f"{path}:1: the file is empty" in _stderr_of_failure(path)


# -- CSV ------------------------------------------------------------------------------------


def test_a_csv_with_an_unknown_header_names_the_expected_headers(team, tmp_path):
    path = changes_csv(tmp_path, GOOD_CSV_ROW, header="change_id,user_email,source")
    err = _stderr_of_failure(path)
    assert f"{path}:1: unknown CSV header" in err
    for name in (
        "Cursor commits.csv",
        "Cursor changes.csv",
        "Qoder ai-code-commits.csv",
        "Qoder ai-code-changes.csv",
    ):
        assert name in err
    assert CURSOR_CHANGES_HEADER in err


def test_csv_columns_may_come_in_any_order(team, tmp_path):
    header = ",".join(reversed(CURSOR_CHANGES_HEADER.split(",")))
    row = ",".join(reversed(GOOD_CSV_ROW.split(",")))
    run_ingest(changes_csv(tmp_path, row, header=header))
    assert change_rows(team)["1"]["total_lines_added"] == 8


@pytest.mark.parametrize(
    ("row", "where"),
    [
        (",u,dev@acme.example,TAB,,8,2,2025-07-30T15:08:45.000Z,[]", "change_id: is required"),
        ("1,u,,TAB,,8,2,2025-07-30T15:08:45.000Z,[]", "user_email: is required"),
        ("1,u,dev@,TAB,,8,2,2025-07-30T15:08:45.000Z,[]", "user_email: is not a valid email"),
        (
            "1,u,dev@acme.example,TAB,,-8,2,2025-07-30T15:08:45.000Z,[]",
            "total_lines_added: must be a non-negative integer, got -8",
        ),
        (
            "1,u,dev@acme.example,TAB,,1.5,2,2025-07-30T15:08:45.000Z,[]",
            "total_lines_added: must be a non-negative integer, got '1.5'",
        ),
        (
            "1,u,dev@acme.example,PASTE,,8,2,2025-07-30T15:08:45.000Z,[]",
            "source: unknown source 'PASTE'",
        ),
        ("1,u,dev@acme.example,TAB,,8,2,30/07/2025,[]", "created_at: must be an ISO 8601"),
        (
            "1,u,dev@acme.example,TAB,,8,2,2025-07-30T15:08:45.000Z,[{",
            "metadata_json: is not valid",
        ),
        (
            '1,u,dev@acme.example,TAB,,8,2,2025-07-30T15:08:45.000Z,"[{""linesAdded"": -1}]"',
            "metadata_json[0].fileExtension: is required",
        ),
        ("1,u,dev@acme.example,TAB,,8,2", "has 7 cells, the header has 9"),
    ],
)
def test_a_bad_csv_row_names_file_line_and_column(team, tmp_path, row, where):
    path = changes_csv(tmp_path, GOOD_CSV_ROW.replace("1,", "0,", 1), row)
    err = _stderr_of_failure(path)
    assert f"{path}:3: {where}" in err
    assert stored_counts(team) == (0, 0, 0, 0)


def test_a_malformed_csv_is_an_error_with_its_line(team, tmp_path):
    path = changes_csv(tmp_path, GOOD_CSV_ROW, '2,u,dev@acme.example,TAB,,8,2,"2025')
    err = _stderr_of_failure(path)
    assert f"{path}:3: malformed CSV" in err
    assert stored_counts(team) == (0, 0, 0, 0)


def test_a_quoted_multi_line_cell_reports_the_line_the_row_starts_on(team, tmp_path):
    header = CURSOR_COMMITS_HEADER
    good = 'a1,u,dev@acme.example,r,main,true,1,0,0,0,0,0,1,0,"two\nlines",,'
    bad = "a2,u,dev@acme.example,r,main,maybe,1,0,0,0,0,0,1,0,msg,,"
    path = tmp_path / "commits.csv"
    path.write_text("\n".join([header, good, bad]) + "\n")
    err = _stderr_of_failure(path)
    assert f"{path}:4: is_primary_branch: must be true, false or null, got 'maybe'" in err


def test_csv_empty_cells_are_null_and_user_ids_are_ignored(team, tmp_path):
    row = "h1,user_from_another_team,Dev@Acme.example,,,,5,0,,,,,,,,,2025-07-30T14:12:30.000Z"
    path = tmp_path / "commits.csv"
    path.write_text(CURSOR_COMMITS_HEADER + "\n" + row + "\n")
    run_ingest(path)
    stored = commit_rows(team)["h1"]
    assert stored["member"] == ("dev@acme.example", "dev")
    assert (stored["repo_name"], stored["branch_name"], stored["is_primary_branch"]) == (
        None,
        None,
        None,
    )
    assert (stored["message"], stored["commit_ts"]) == (None, None)
    assert stored["created_at"] == utc("2025-07-30T14:12:30")
    assert stored["ide_next_lines_added"] == 0


def test_the_kind_flag_must_agree_with_a_csv_header(team):
    err = _stderr_of_failure(FIXTURES / "cursor/changes.csv", "--kind", "commits")
    assert "is a Cursor changes.csv header, not commits" in err


def test_progress_is_shown_on_request(team, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ingest_command, "PROGRESS_EVERY", 0.0)
    run_ingest(ndjson(tmp_path, [change(i) for i in range(2500)]), "--progress")
    progress = capsys.readouterr().err
    assert "2,000 rows" in progress and "%" in progress


@pytest.mark.parametrize("suffix", [".json", ".ndjson"])
def test_an_unpaired_surrogate_is_a_bad_row(team, tmp_path, suffix):
    record = '{"changeId": "\\ud800", "userEmail": "a@acme.example", "source": "TAB"}'
    good = json.dumps(change(1))
    path = tmp_path / f"x{suffix}"
    path.write_text(f"[{good},\n{record}]" if suffix == ".json" else f"{good}\n{record}\n")
    out, err = run_ingest(path, "--skip-invalid")
    assert f"{path}:2: malformed JSON: a string holds an unpaired surrogate" in err
    assert "created 1" in out


def test_a_file_that_is_not_utf8_is_a_clear_error(team, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (CURSOR_CHANGES_HEADER + "\n").encode() + "1,u,d\xe9@acme.example".encode("latin-1")
    )
    assert f"{path}: not UTF-8 text" in _stderr_of_failure(path)


def test_ndjson_with_a_bom_and_crlf_lines_loads(team, tmp_path):
    path = tmp_path / "windows.ndjson"
    lines = [json.dumps(change(i)) for i in range(3)]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    out, _ = run_ingest(path)
    assert "received 3, created 3" in out


def test_a_csv_without_metadata_keeps_the_metadata_stored_before(team):
    # The Qoder change export has no metadata column: re-importing it must not erase any.
    run_ingest(FIXTURES / "qoder/changes.json")
    out, _ = run_ingest(FIXTURES / "qoder/ai-code-changes.csv")
    assert "created 0, updated 0" in out
    assert [m["fileName"] for m in change_rows(team)["chg_abc123"]["metadata"]] == [
        "main.go",
        "utils.go",
    ]
