"""The dashboard's pages. Every team page goes through `team_page`, the one place that resolves
the URL's team for the signed-in person (404 for a team they do not belong to) and reads the
filters; the pages then read through dashboard.data (the figures) or the team's own records."""

from __future__ import annotations

import csv
import functools
import io
import uuid
from collections.abc import Iterator
from dataclasses import replace

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from teams.models import Team
from teams.selectors import team_for_user, teams_for_user
from tracking import catalog, downloads, reads
from tracking.models import AI_PAIRS
from tracking.reads import Who

from . import data, tools
from .auth import count_attempt
from .filters import PRESETS, TODAY, DashboardFilters, parse_filters

PAGE_SIZE = 25


def team_page(view):
    """Sign-in required; `slug` -> the team (404 unless the person may see it) and filters.

    A 404 is a page for people here, not the API's JSON error (the site-wide handler404)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        try:
            team = team_for_user(request.user, slug=slug)
            filters, errors = parse_filters(request.GET, now=timezone.now(), zone=team.time_zone)
            return view(request, team=team, filters=filters, errors=errors, **kwargs)
        except (Team.DoesNotExist, Http404):
            return render(request, "dashboard/404.html", status=404)

    return wrapper


class LoginView(auth_views.LoginView):
    """Django's login, with the sign-in limits of dashboard.auth (per name and address pair,
    per address, site-wide): a refused attempt is this page again, 429, with the wait."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        refusal = count_attempt(request)
        if refusal is None:
            return super().post(request, *args, **kwargs)
        form = self.get_form_class()(request, initial={"username": request.POST.get("username")})
        context = self.get_context_data(form=form, refusal=refusal)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(refusal.retry_after)
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's team's dashboard, or a picker when they see several."""
    teams = list(teams_for_user(request.user).order_by("name"))
    if len(teams) == 1:
        return redirect("dashboard:overview", slug=teams[0].slug)
    return render(request, "dashboard/home.html", {"teams": teams})


def _downloads(team: Team, filters: DashboardFilters) -> dict[str, str]:
    """The page's records as CSV, with every filter of the page (dashboard/downloads.py)."""
    query = filters.query()
    return {
        kind: f"{reverse('dashboard:download', kwargs={'slug': team.slug, 'kind': kind})}?{query}"
        for kind in ("commits", "changes")
    }


def _base_context(team: Team, filters: DashboardFilters, errors: list[str]) -> dict:
    return {
        "team": team,
        "filters": filters,
        "errors": errors,
        "presets": [(n, filters.query(range=n)) for n in (*PRESETS, TODAY)],
        "downloads": _downloads(team, filters),
        "charts": catalog.CHART,
        "notes": data.notes(filters),
        "weekly": filters.days > data.WEEKLY_OVER_DAYS,
        "model_choices": None,
    }


def _tiles_context(team: Team, filters: DashboardFilters) -> dict:
    sums, tiles = data.tiles(team=team, filters=filters)
    families = [
        (family, [t for t in tiles if t.measure.family is family]) for family in catalog.FAMILIES
    ]
    return {
        "sums": sums,
        "tiles": tiles,
        "tile_families": [(f, ts) for f, ts in families if ts],
        "over_ai": sums["over_ai"],
        "share": data.share_trend(team=team, filters=filters),
    }


def _member_choices(ranking: list[dict], filters: DashboardFilters) -> list[tuple[str, str]]:
    """The member filter's options: the ranking's members (those with commits in the window,
    at most RANKING_LIMIT), not every member of the team (thousands on a big team), plus the
    one filtered on. Optimization: no query of its own."""
    choices = {row["user_id"]: row["email"] for row in ranking}
    if filters.member and str(filters.member) not in choices:
        choices[str(filters.member)] = str(filters.member)
    return sorted(choices.items(), key=lambda item: item[1])


@team_page
def overview(request, *, team: Team, filters: DashboardFilters, errors: list[str]):
    context = _base_context(team, filters, errors)
    if not data.has_any_records(team=team) and not tools.has_attribution(team=team):
        context |= {"empty": True, "base_url": request.build_absolute_uri("/").rstrip("/")}
        return render(request, "dashboard/overview.html", context)
    context |= _tiles_context(team, filters)
    lines_added = context["sums"]["lines_added"]
    ranking = data.ranking(team=team, filters=filters, lines_added=lines_added)
    context |= {
        "ext_trend": data.extension_trend(team=team, filters=filters),
        "model_trend": data.model_trend(team=team, filters=filters),
        "next": data.next_trend(team=team, filters=filters),
        "ranking": ranking,
        "member_choices": _member_choices(ranking["rows"], filters),
        "model_choices": data.model_choices(team=team, filters=filters),
        "repos": data.repos(team=team, filters=filters),
        "extensions": data.extensions(team=team, filters=filters, lines_added=lines_added),
        "tools": tools.section(team=team, filters=filters),  # commit attribution by tool
    }
    context["tool_choices"] = context["tools"]["choices"]
    return render(request, "dashboard/overview.html", context)


@team_page
def member(request, *, team, filters, errors, member_id: uuid.UUID):
    person = reads.member(team=team, member_uuid=member_id)
    if person is None:
        raise Http404("No such member in this team.")
    filters = DashboardFilters(**{**filters.__dict__, "member": person.uuid})
    own = replace(filters.metric(), who=Who(member_id=person.pk))
    occurred = "occurred_at"
    # The lists show the records behind the figures: every filter of the page applies.
    commits = downloads.selection(downloads.COMMITS, team=team, filters=own)
    commits = reads.newest_first(commits, time_field=occurred)
    changes = reads.newest_first(downloads.selection(downloads.CHANGES, team=team, filters=own))
    context = _base_context(team, filters, errors) | _tiles_context(team, filters) | {
        "person": person,
        "list_notes": {
            "commits": downloads.not_filtered(downloads.COMMITS, own),
            # The page lists changes through the database; the extension is in their JSON.
            "changes": downloads.not_filtered(downloads.CHANGES, own)
            + (["not filtered by file extension here (the CSV download is)"]
               if filters.extensions else []),
        },
        "commit_page": Paginator(
            commits.only(
                "id", "commit_hash", "repo_name", "branch_name", "occurred_at", "message",
                "total_lines_added", "total_lines_deleted",
            ),
            PAGE_SIZE,
        ).get_page(request.GET.get("commits_page")),
        "change_page": Paginator(
            changes.only(
                "id", "change_id", "source", "model", "accepted", "total_lines_added",
                "total_lines_deleted", "created_at",
            ),
            PAGE_SIZE,
        ).get_page(request.GET.get("changes_page")),
        "member_tools": tools.member_tools(team=team, filters=filters, member=person),
    }  # fmt: skip
    return render(request, "dashboard/member.html", context)


@team_page
def commit(request, *, team, filters, errors, pk: int):
    row = reads.commit(team=team, pk=pk)
    if row is None:
        raise Http404("No such commit in this team.")
    pairs = [
        (name, getattr(row, f"{name}_lines_added"), getattr(row, f"{name}_lines_deleted"))
        for name in AI_PAIRS
    ]
    annotations = {a.get("filePath"): a.get("groups", []) for a in row.range_annotations or []}
    files = [
        {"file": f, "groups": annotations.pop(f.file_path, [])}
        for f in row.files.order_by("file_path")
    ]
    context = _base_context(team, filters, errors) | {
        "commit": row,
        "pairs": [p for p in pairs if p[1] or p[2]],
        "ai_added": sum(p[1] for p in pairs),
        "files": files,
        "other_annotations": annotations,
        "attribution": tools.commit_detail(team=team, repo_name=row.repo_name, sha=row.commit_hash),
    }
    return render(request, "dashboard/commit.html", context)


@team_page
def attributed_commit(request, *, team, filters, errors, pk: int):
    """A commit as commit attribution sees it (any source): its lines by tool, human and
    unknown, and the raw records behind them."""
    detail = tools.attributed_commit(team=team, pk=pk)
    if detail is None:
        raise Http404("No such commit in this team.")
    context = _base_context(team, filters, errors) | {"attribution": detail}
    return render(request, "dashboard/attributed_commit.html", context)


@team_page
def download(request, *, team, filters, errors, kind: str):
    """The page's commits or changes as CSV, with every filter of the page; formula cells
    neutralised. Each person has their own budget (DASHBOARD_DOWNLOAD_RATE), apart from the
    API keys' export limit; over it, a page that says when to try again."""
    spec = downloads.DOWNLOADS.get(kind)
    if spec is None:
        raise Http404("No such download.")
    if is_ratelimited(
        request, group="dashboard.download", key="user", rate=settings.DASHBOARD_DOWNLOAD_RATE,
        increment=True,
    ):  # fmt: skip
        context = _base_context(team, filters, errors) | {"rate": settings.DASHBOARD_DOWNLOAD_RATE}
        return render(request, "dashboard/download_limited.html", context, status=429)
    rows = downloads.rows(spec, team=team, filters=filters.metric())
    name = f"{team.slug}-{kind}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response = StreamingHttpResponse(_csv_lines(spec.header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_lines(header: list[str], rows) -> Iterator[bytes]:
    """The download's bytes, about 64 KiB at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if out.tell() > 65_536:
            yield out.getvalue().encode()
            out = io.StringIO()
            writer = csv.writer(out)
    yield out.getvalue().encode()
