"""Getting data in (API.md section 6): validation, member resolution and bulk upserts.

The services in `services.py` are the only entry points; views and the `ingest` command call
them and nothing else here.
"""
