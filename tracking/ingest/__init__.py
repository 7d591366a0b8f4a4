"""Getting data in (API.md section 6): reading, validation, member resolution and bulk upserts.

Two entry points: `readers.py`, one reader per input format (a file or an HTTP body), and
`services.stream_ingest`, the one service that validates and stores what they read. The doors
(the HTTP views, the `ingest` command, the sync, the demo) call those and nothing else here.
"""
