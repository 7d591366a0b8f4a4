"""The sources' formats, parsed (no database). docs/tools.md has the mapping field by field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tracking.models import AI_PAIRS

GITAI_SCHEMAS = ("authorship/3.0.0",)
AGENT_TRACE_VERSIONS = ("1.0", "0.1.0", "0.1")
MAX_NOTE_BYTES = 1_000_000  # a note is a few KB; 1 MB is far beyond any real one
MAX_LINE = 10_000_000  # a line number beyond any real file
UNKNOWN_TOOL = "unknown"


class Invalid(ValueError):
    """Input we refuse, with the reason people are shown."""


SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_RANGE_RE = re.compile(r"^(\d+)(?:-(\d+))?$")
_LEGACY_KEY = re.compile(r"^[0-9a-f]{16}$")


def check_sha(value) -> str:
    if not isinstance(value, str) or not SHA_RE.fullmatch(value.strip().lower()):
        raise Invalid(f"commit_sha must be a full 40- or 64-hex commit id, got {value!r:.80}")
    return value.strip().lower()


def _ranges(text: str, where: str) -> list[tuple[int, int]]:
    out = []
    for piece in text.split(","):
        match = _RANGE_RE.match(piece.strip())
        if not match:
            raise Invalid(f"{where}: {piece.strip()!r:.40} is not a line range (e.g. 1-10,15)")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if start < 1 or end < start or end > MAX_LINE:
            raise Invalid(f"{where}: the range {start}-{end} is not 1 <= start <= end")
        out.append((start, end))
    return out


@dataclass
class Note:
    """A git-ai note: per file, (start, end, tool, model, kind) ranges; its metadata."""

    schema_version: str
    files: dict[str, list[list]] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    legacy: bool = False


def parse_note(content: str) -> Note:
    """An `authorship/3.0.0` note (attestations, `---`, JSON metadata). Keys: `s_...::t_...`
    (a session in metadata.sessions), `h_...` (metadata.humans), anything else a legacy prompt
    (metadata.prompts). A key not in the metadata is AI of an unknown tool."""
    if not isinstance(content, str):
        raise Invalid("content must be a string (the note's text)")
    if len(content.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise Invalid(f"the note is larger than {MAX_NOTE_BYTES:,} bytes")
    if "\x00" in content:
        raise Invalid("the note contains a NUL character")
    head, sep, tail = content.partition("\n---\n")
    if not sep:
        if content.startswith("---\n"):
            head, tail = "", content[4:]
        else:
            raise Invalid("the note has no '---' line between attestations and metadata")
    try:
        metadata = json.loads(tail)
    except ValueError as error:
        raise Invalid(f"the note's metadata is not JSON ({error.msg})") from None
    if not isinstance(metadata, dict):
        raise Invalid("the note's metadata must be a JSON object")
    version = metadata.get("schema_version")
    if version not in GITAI_SCHEMAS:
        raise Invalid(
            f"unknown schema_version {version!r:.60}: this service reads {', '.join(GITAI_SCHEMAS)}"
        )
    sessions = _dict(metadata.get("sessions"))
    prompts = _dict(metadata.get("prompts"))
    note = Note(schema_version=version, metadata=metadata)
    path = None
    for number, line in enumerate(head.split("\n"), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            path = line.strip().strip('"')
            note.files.setdefault(path, [])
            continue
        if path is None:
            raise Invalid(f"line {number}: an attestation before any file path")
        key, _, ranges = line.strip().rpartition(" ")
        if not key:
            raise Invalid(f"line {number}: expected '<key> <ranges>'")
        key = key.strip()
        if key.startswith("h_"):
            tool, model, kind = "", "", "human"
        else:
            if key.startswith("s_"):
                record = _dict(sessions.get(key.split("::")[0]))
            else:
                record = _dict(prompts.get(key))
                note.legacy = note.legacy or bool(_LEGACY_KEY.match(key))
            agent = _dict(record.get("agent_id"))
            tool = _text(agent.get("tool")) or UNKNOWN_TOOL
            model = _text(agent.get("model"))
            kind = "ai"
        for start, end in _ranges(ranges, f"line {number} ({path})"):
            note.files[path].append([start, end, tool.lower(), model, kind])
    return note


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return value.strip()[:255] if isinstance(value, str) else ""


def line_owners(files: dict[str, list[list]]) -> dict[tuple[str, str, str], int]:
    """Lines per (tool, model, kind), each line of each file counted once (a later range of the
    same line wins: the last attestation is the newest)."""
    owners: dict[tuple[str, str, str], int] = {}
    for ranges in files.values():
        lines: dict[int, tuple[str, str, str]] = {}
        spans = sorted(ranges, key=lambda r: (r[0], r[1]))
        if sum(r[1] - r[0] + 1 for r in spans) <= 200_000:
            for start, end, tool, model, kind in ranges:
                for n in range(start, end + 1):
                    lines[n] = (tool, model, kind)
            for owner in lines.values():
                owners[owner] = owners.get(owner, 0) + 1
        else:  # huge ranges: count spans (overlaps counted once per span)
            for start, end, tool, model, kind in ranges:
                owner = (tool, model, kind)
                owners[owner] = owners.get(owner, 0) + end - start + 1
    return owners


# --- Agent Trace ---------------------------------------------------------------------------

CONTRIBUTOR_KINDS = {"ai": "ai", "human": "human", "mixed": "ai", "unknown": "unknown"}


@dataclass
class Trace:
    id: str
    version: str
    timestamp: str
    vcs_type: str
    revision: str
    tool: str
    files: dict[str, list[list]]


def parse_trace(record) -> Trace:
    """One Agent Trace record (v0.1 RFC), validated."""
    if not isinstance(record, dict):
        raise Invalid("a trace record must be a JSON object")
    version = record.get("version")
    if version not in AGENT_TRACE_VERSIONS:
        raise Invalid(
            f"version: unknown Agent Trace version {version!r:.40} (this service reads "
            f"{', '.join(AGENT_TRACE_VERSIONS)})"
        )
    trace_id = record.get("id")
    if not isinstance(trace_id, str) or not trace_id.strip() or len(trace_id) > 255:
        raise Invalid("id: a non-empty string of at most 255 characters is required")
    timestamp = record.get("timestamp")
    if not isinstance(timestamp, str) or not timestamp:
        raise Invalid("timestamp: an RFC 3339 date-time string is required")
    vcs = _dict(record.get("vcs"))
    revision = _text(vcs.get("revision")).lower()
    tool_name = _text(_dict(record.get("tool")).get("name")).lower() or UNKNOWN_TOOL
    files = record.get("files")
    if not isinstance(files, list) or not files:
        raise Invalid("files: a non-empty list is required")
    out: dict[str, list[list]] = {}
    for i, entry in enumerate(files):
        entry = _dict(entry)
        path = entry.get("path")
        if not isinstance(path, str) or not path or "\x00" in path:
            raise Invalid(f"files[{i}].path: a file path is required")
        conversations = entry.get("conversations")
        if not isinstance(conversations, list):
            raise Invalid(f"files[{i}].conversations: a list is required")
        for j, conversation in enumerate(conversations):
            conversation = _dict(conversation)
            contributor = _dict(conversation.get("contributor"))
            ranges = conversation.get("ranges")
            if not isinstance(ranges, list):
                raise Invalid(f"files[{i}].conversations[{j}].ranges: a list is required")
            for k, rng in enumerate(ranges):
                rng = _dict(rng)
                where = f"files[{i}].conversations[{j}].ranges[{k}]"
                start, end = rng.get("start_line"), rng.get("end_line")
                if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
                    raise Invalid(f"{where}: start_line and end_line must be integers")
                if start < 1 or end < start or end > MAX_LINE:
                    raise Invalid(f"{where}: the range {start}-{end} is not 1 <= start <= end")
                who = _dict(rng.get("contributor")) or contributor
                kind = CONTRIBUTOR_KINDS.get(who.get("type"))
                if kind is None:
                    raise Invalid(
                        f"{where}: contributor.type must be ai, human, mixed or unknown, got "
                        f"{who.get('type')!r:.40}"
                    )
                model = _text(who.get("model_id"))
                tool = tool_name if kind == "ai" else ""
                out.setdefault(path, []).append([start, end, tool, model if tool else "", kind])
    return Trace(
        id=trace_id.strip(),
        version=version,
        timestamp=timestamp,
        vcs_type=_text(vcs.get("type")).lower(),
        revision=revision,
        tool=tool_name,
        files=out,
    )


# --- the vendors' commit records -----------------------------------------------------------

QODER_ONLY_PAIRS = tuple(p for p in AI_PAIRS if p not in ("ide_next", "ide_agent"))


def vendor_tool(row: dict) -> str:
    """Which tool sent a Cursor / Qoder commit record: the records hold no tool field, so a
    commit with lines in a pair only Qoder reports (plugin, CLI, quest, inline chat) is Qoder's,
    every other one Cursor's (Cursor's tab/composer split lands in ide_next/ide_agent)."""
    for pair in QODER_ONLY_PAIRS:
        if row.get(f"{pair}_lines_added") or row.get(f"{pair}_lines_deleted"):
            return "qoder"
    return "cursor"
