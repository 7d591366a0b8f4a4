"""The rerunnable benchmark of issue 5: `make bench` or `python -m bench --help`.

It seeds (or reuses) one big team through the project's own bulk path, starts the real server
(gunicorn on config.wsgi, several workers), measures exports, JSON pages and ingestion over
HTTP next to what PostgreSQL does alone, prints one table and writes bench/results/latest.json.
See docs/benchmark.md.
"""
