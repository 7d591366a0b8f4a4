"""Two slow readers cannot starve the service (issue 24, item 8): through the shipped nginx
site, two clients read a multi-megabyte changes.csv at 4 KiB every 2 s while gunicorn has only
two sync workers; once nginx has taken the exports off the workers (spooled to its temp files),
normal requests answer at once. With the previous site file (`proxy_max_temp_file_size 0`)
each worker waited on its slow reader for the whole export, and every normal request timed out.
The figures with 400,000 changes: `python -m bench.slow_readers` (docs/deployment.md)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from bench.slow_readers import normal_request, slow_reader
from tests.deploy.stack import NGINX, production_stack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed"),
]

SEED = (
    "from django.core.management import call_command\n"
    "call_command('create_team', 'Slow', '--json', stdout=open('team.json', 'w'))\n"
    "call_command('seed_demo', '--team', 'slow', '--days', '30', '--changes', '60000',\n"
    "             '--commits', '200', '--messages', '0', '--members', '20')\n"
)


def test_two_slow_readers_do_not_starve_two_workers(tmp_path):
    setup = f"import os; os.chdir({str(tmp_path)!r})\n" + SEED
    with production_stack(
        tmp_path, setup=setup, GUNICORN_WORKERS="2", AI_CODE_RATE_LIMIT="100000/m"
    ) as stack:
        key = json.loads((tmp_path / "team.json").read_text())["apiKey"]
        stop, read = threading.Event(), []
        readers = [
            threading.Thread(target=slow_reader, args=(stack.https, key, stop, read))
            for _ in range(2)
        ]
        try:
            for thread in readers:
                thread.start()
            # The workers produce the two exports (about 5 s here), then are free again: three
            # quick answers in a row within 30 s. With the old site file the workers stayed
            # with their slow readers for 60-120 s (until the 11 MB exports fit in the socket
            # buffers), and for as long as the reader likes with bigger ones.
            deadline, quick = time.monotonic() + 30, 0
            while quick < 3:
                assert time.monotonic() < deadline, "the slow readers still hold the workers"
                quick = quick + 1 if normal_request(stack.https, key) < 1.0 else 0
            latencies = []
            for _ in range(30):
                latencies.append(normal_request(stack.https, key))
                time.sleep(0.1)
        finally:
            stop.set()
            for thread in readers:
                thread.join(timeout=10)
    latencies.sort()
    print(f"normal requests with 2 slow readers, 2 workers: p50 {latencies[15] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")  # fmt: skip
    assert 0 < sum(read) < 500_000  # the readers were still reading, slowly
    assert latencies[-1] < 1.0, latencies
