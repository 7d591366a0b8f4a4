"""One JSON rule for every request body: the decoder and the error messages of ingestion.

DRF's JSONParser lets RecursionError through (a body nested 1,000 deep was a 500 on POST
commits/detail). This parser maps it as the ingest door does (analytics_api/ingest/body.py:
"nested too deeply"), and every other undecodable body to a 400 in the API's error shape
naming line and column. Lone surrogates are left to the field checks, which name the field.
"""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from tracking.ingest.jsonfast import parse_int


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode((parser_context or {}).get("encoding") or "utf-8")
            return json.loads(text, parse_int=parse_int)
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
            ) from None
        except RecursionError:
            raise ParseError("Malformed JSON: nested too deeply.") from None
        except (ValueError, UnicodeDecodeError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(f"Malformed JSON: {exc}.") from None
