"""tracking/formats.py: the exports and the importer share one definition of each CSV header."""

from __future__ import annotations

from analytics_api.cursor import serialization as cursor
from analytics_api.qoder import serialization as qoder
from tracking.formats import camel
from tracking.ingest.readers import CSV_FORMATS


def test_the_importer_reads_exactly_the_four_headers_the_exports_write():
    exported = [
        cursor.COMMIT_CSV_HEADER,
        cursor.CHANGE_CSV_HEADER,
        qoder.COMMIT_CSV_HEADER,
        qoder.CHANGE_CSV_HEADER,
    ]
    assert [list(fmt.columns) for fmt in CSV_FORMATS] == exported


def test_every_csv_column_maps_to_a_record_field_or_is_deliberately_ignored():
    ignored = {"userId", "nonAiLinesAdded", "nonAiLinesDeleted"}
    for fmt in CSV_FORMATS:
        for column, field in fmt.fields.items():
            assert field == (None if camel(column) in ignored else camel(column))


def test_camel_turns_snake_case_into_the_json_spelling():
    assert camel("ide_next_lines_added") == "ideNextLinesAdded"
    assert camel("metadata_json") == "metadataJson"
    assert camel("commitHash") == "commitHash"
