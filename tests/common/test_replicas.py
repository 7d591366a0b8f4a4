"""Which reads may go to a read replica (common/replicas.py, docs/scaling.md): the rule, through
the real HTTP stack and commands, with the router's decisions recorded.

One database plays both parts here (the decisions are recorded, the queries run on `default`);
tests/common/test_replica_streaming.py runs the same rule against a real standby.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from common import replicas
from config.env import configure_replicas, parse_database_url
from teams.models import ApiKey
from tests.factories import CommitFactory
from tests.tracking.ingest.helpers import post
from tracking.models import Commit

REPLICA = "replica_0"


@pytest.fixture
def decisions(settings, monkeypatch):
    """A configured replica that is always usable; every read decision as (app label, alias)."""
    settings.DATABASE_REPLICAS = [REPLICA]
    connections[REPLICA] = connections[DEFAULT_DB_ALIAS]  # a mirror, as in Django's tests
    monkeypatch.setattr(replicas, "usable_replica", lambda alias: True)
    seen: list[tuple[str, str]] = []
    decide = replicas.ReplicaRouter.db_for_read

    def recording(self, model, **hints):
        alias = decide(self, model, **hints)
        seen.append((model._meta.app_label, alias))
        return DEFAULT_DB_ALIAS  # one database in this test: run the query there

    monkeypatch.setattr(replicas.ReplicaRouter, "db_for_read", recording)
    yield seen
    replicas._request_replica.set(None)
    del connections[REPLICA]


def on_replica(seen) -> set[str]:
    return {app for app, alias in seen if alias == REPLICA}


def test_an_api_get_reads_records_from_the_replica_and_keys_from_the_primary(decisions, api, owner):
    CommitFactory(member=owner)
    response = api.get("/analytics/ai-code/commits")
    assert response.status_code == 200 and response.json()["totalCount"] == 1
    assert on_replica(decisions) == {"tracking"}
    # who may read: API keys, teams, members, rate-limit counters, from the primary
    assert ("teams", DEFAULT_DB_ALIAS) in decisions
    # the request is over: the next read (a command's, a signal's) goes to the primary
    assert router.db_for_read(Commit) == DEFAULT_DB_ALIAS


def test_a_streamed_export_reads_the_replica_until_its_last_row(decisions, api, owner):
    CommitFactory.create_batch(3, member=owner)
    response = api.get("/analytics/ai-code/commits.csv")
    decisions.clear()
    body = b"".join(response.streaming_content)  # the rows are read while streaming
    assert body.count(b"\n") == 4
    assert on_replica(decisions) == {"tracking"}
    response.close()  # request_finished: back to the primary
    decisions.clear()
    assert router.db_for_read(Commit) == DEFAULT_DB_ALIAS


def test_the_ingest_answer_reads_the_primary(decisions, ingest_api, team):
    record = {"changeId": "c-1", "userEmail": "dev@acme.example", "source": "TAB",
              "totalLinesAdded": 1, "totalLinesDeleted": 0}  # fmt: skip
    assert post(ingest_api, "changes", [record]).json()["created"] == 1
    assert post(ingest_api, "changes", [record]).json() == {
        "received": 1,
        "created": 0,
        "updated": 0,
    }  # its own write, seen at once
    assert decisions and on_replica(decisions) == set()


def test_the_admin_reads_the_primary(decisions, admin, owner):
    commit = CommitFactory(member=owner)
    assert admin.get("/admin/tracking/commit/").status_code == 200
    assert admin.get(f"/admin/tracking/commit/{commit.pk}/change/").status_code == 200
    assert decisions and on_replica(decisions) == set()


def test_commands_read_the_primary(decisions, owner, capsys):
    CommitFactory(member=owner)
    call_command("rollups", "verify")
    assert decisions and on_replica(decisions) == set()


def test_a_transaction_inside_a_get_reads_the_primary(decisions, db):
    def view(request):
        router.db_for_read(Commit)
        with transaction.atomic():
            router.db_for_read(Commit)
        router.db_for_read(ApiKey)
        return HttpResponse("ok")

    replicas.ReplicaReadsMiddleware(view)(RequestFactory().get("/analytics/ai-code/commits"))
    assert decisions == [("tracking", REPLICA), ("tracking", DEFAULT_DB_ALIAS),
                         ("teams", DEFAULT_DB_ALIAS)]  # fmt: skip


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_read_the_primary(decisions, method, db):
    def view(request):
        router.db_for_read(Commit)
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method)("/analytics/ai-code/commits")
    replicas.ReplicaReadsMiddleware(view)(request)
    assert decisions == [("tracking", DEFAULT_DB_ALIAS)]


def test_with_no_usable_replica_a_get_reads_the_primary(decisions, monkeypatch, api, owner):
    monkeypatch.setattr(replicas, "usable_replica", lambda alias: False)
    CommitFactory(member=owner)
    assert api.get("/analytics/ai-code/commits").status_code == 200
    assert decisions and on_replica(decisions) == set()


def test_without_replicas_everything_reads_the_one_database(settings, api, owner):
    assert settings.DATABASE_REPLICAS == []  # the default: DATABASE_REPLICA_URLS is empty
    CommitFactory(member=owner)
    assert api.get("/analytics/ai-code/commits").json()["totalCount"] == 1


def test_the_admin_index_says_when_there_is_no_replica(admin):
    page = admin.get("/admin/").content.decode()
    assert "Read replicas" in page and "DATABASE_REPLICA_URLS is empty" in page


def test_replica_urls_become_mirrored_aliases():
    databases = {"default": parse_database_url("postgres://u:p@primary:5432/app")}
    databases["default"]["CONN_MAX_AGE"] = 60
    aliases = configure_replicas(
        databases, ["postgres://u:p@standby1/app", "postgres://u:p@standby2:5433/app"]
    )
    assert aliases == ["replica_0", "replica_1"]
    assert databases["replica_1"]["HOST"] == "standby2" and databases["replica_1"]["PORT"] == "5433"
    assert databases["replica_0"]["TEST"] == {"MIRROR": "default"}
    assert databases["replica_0"]["OPTIONS"]["connect_timeout"] == "3"
    assert databases["replica_0"]["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    ("primary", "replica"),
    [("sqlite:///db.sqlite3", "postgres://u@standby/app"),
     ("postgres://u@primary/app", "sqlite:///copy.sqlite3")],
)  # fmt: skip
def test_replicas_need_postgresql_on_both_sides(primary, replica):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URLS entry 1"):
        configure_replicas({"default": parse_database_url(primary)}, [replica])
