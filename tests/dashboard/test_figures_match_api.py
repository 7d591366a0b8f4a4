"""The dashboard shows the Qoder API's figures: for the same team, window and filters, the
page's data equals the API's JSON (both come from tracking.figures; this pins the shaping)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import make_key

FILTERS = [
    {},
    {"primary": "1"},
    {"ext": ".py,.ts"},
    {"repo": "acme/web"},
    {"member": None},  # filled with a seeded member below
]


@pytest.fixture
def api(seeded) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(seeded)[1]}")
    return client


def api_query(start: date, end: date, extra: dict) -> dict:
    query = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    names = {"primary": "primary_branch_only", "ext": "file_extensions", "repo": "repo_name"}
    for key, value in extra.items():
        if key == "member":
            query["user_id"] = value
        else:
            query[names[key]] = "true" if key == "primary" else value
    return query


@pytest.mark.parametrize("extra", FILTERS)
def test_the_page_figures_equal_the_qoder_api(seeded, teammate_user, api, extra):
    if "member" in extra:
        extra = {"member": str(seeded.members.order_by("email").first().uuid)}
    end = timezone.now().date()
    start = end - timedelta(days=29)
    client = Client()
    client.force_login(teammate_user)
    page = client.get(
        "/dashboard/acme/", {"start": start.isoformat(), "end": end.isoformat(), **extra}
    )
    assert page.status_code == 200
    ctx = page.context
    base = f"/v1/organizations/{seeded.uuid}/"
    query = api_query(start, end, extra)

    def get(path, **more):
        response = api.get(base + path, {**query, **more})
        assert response.status_code == 200, response.content
        return response.json()

    assert ctx["overview"] == get("ai-code/stats/overview")
    assert ctx["overview"]["committedTotalLinesEdit"] > 0 or extra

    trend = get("ai-code/stats/daily-trend")
    assert ctx["share"] == _iso_days(trend["items"])
    assert [{k: v for k, v in d.items() if k != "date"} for d in ctx["next"]] == [
        {k: v for k, v in d.items() if k != "date"} for d in trend["nextItems"]
    ]
    # Chart 2: the API's extension items, the top five extensions of the window and the rest
    # summed as "other", per day.
    assert ctx["ext_trend"] == _top_extensions(trend["extItems"], [d["date"] for d in ctx["share"]])

    ranking = get("ai-code/stats/member-ranking", limit=100)
    assert ctx["ranking"] == ranking["items"]
    repos = get("ai-code/repos", per_page=20)
    assert ctx["repos"] == repos["repos"]
    assert ctx["repo_count"] == repos["totalCount"]
    assert ctx["extensions"] == get("ai-code/file-extensions")["fileExtensions"]


def _iso_days(items: list[dict]) -> list[dict]:
    """The API's days (midnight UTC instants) as the page's ISO dates."""
    out = []
    for item in items:
        out.append({**item, "date": item["date"][:10]})  # 2026-11-05T00:00:00Z
    return out


def test_the_tiles_compare_with_the_previous_window_of_equal_length(seeded, teammate_user, api):
    client = Client()
    client.force_login(teammate_user)
    ctx = client.get("/dashboard/acme/", {"range": "7"}).context
    end = timezone.now().date()
    before = api.get(
        f"/v1/organizations/{seeded.uuid}/ai-code/stats/overview",
        {
            "start_date": (end - timedelta(days=13)).isoformat(),
            "end_date": (end - timedelta(days=7)).isoformat(),
        },
    ).json()
    tiles = {tile.key: tile for tile in ctx["tiles"]}
    for key, tile in tiles.items():
        assert tile.value == ctx["overview"][key]
        assert tile.previous == before[key]


def _top_extensions(items: list[dict], days: list[str]) -> dict:
    totals: dict[str, int] = {}
    for item in items:
        totals[item["fileExtension"]] = (
            totals.get(item["fileExtension"], 0) + item["totalLinesAdded"]
        )
    ranked = sorted(totals, key=lambda ext: (-totals[ext], ext))
    top = ranked[:5]
    series = top + (["other"] if len(ranked) > 5 else [])
    per_day = {day: dict.fromkeys(series, 0) for day in days}
    for item in items:
        name = item["fileExtension"] if item["fileExtension"] in top else "other"
        per_day[item["date"][:10]][name] += item["totalLinesAdded"]
    return {
        "series": series,
        "days": [{"date": day, "values": list(per_day[day].values())} for day in days],
    }
