"""Team management for a team's admins: people (add, change role, remove), API keys (create,
shown once; revoke), and the audit log of those actions (teams.team_management does the work
and writes the log). Superusers may manage every team; a viewer gets the 403 page, a person
outside the team the 404 page (a team's existence is not revealed).

A new key, or the password of a login created for a new member, is shown once, in the answer
to the POST that made it: never stored, never in a message or a cookie, and the page is
`Cache-Control: private, no-store` (config/security.py).
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from teams import team_management as manage
from teams.models import Team, TeamMembership
from teams.selectors import team_for_user
from teams.services import InvalidInput

from .errors import error_page

Role = TeamMembership.Role


class MemberAddForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email (their user name)")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(
        max_length=64, label="Time zone (IANA name, e.g. Europe/Berlin)", initial="UTC"
    )


class KeyForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Name (what it is for)")
    can_read = forms.BooleanField(required=False, initial=True, label="May read")
    can_ingest = forms.BooleanField(required=False, label="May ingest")


def team_admin_page(view):
    """Sign-in; the team (404 unless the person sees it); 403 unless they may manage it; a
    member or key id of another team is a 404 too."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        try:
            team = team_for_user(request.user, slug=slug)
        except Team.DoesNotExist:
            return error_page(request, 404)
        if not manage.can_manage(request.user, team):
            return error_page(request, 403, message="Only the team's admins manage the team.")
        try:
            return view(request, team=team, **kwargs)
        except LookupError as exc:
            return error_page(request, 404, message=str(exc))

    return wrapper


def _page(request, team: Team, *, status: int = 200, **context) -> HttpResponse:
    context = {
        "team": team,
        "memberships": manage.memberships(team),
        "keys": manage.api_keys(team),
        "audit": manage.audit_log(team),
        "roles": Role.choices,
        "member_form": MemberAddForm(),
        "key_form": KeyForm(),
        "zone_form": TimeZoneForm(initial={"time_zone": team.time_zone}),
        **context,
    }
    return render(request, "dashboard/team_admin/manage.html", context, status=status)


def _back(team: Team) -> HttpResponse:
    return redirect("dashboard:team-admin", slug=team.slug)


@team_admin_page
def team_admin(request, *, team):
    return _page(request, team)


@require_POST
@team_admin_page
def member_add(request, *, team):
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _page(request, team, status=400, member_form=form)
    try:
        membership, password = manage.member_add(team=team, actor=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        form.add_error("email" if exc.field == "email" else None, str(exc))
        return _page(request, team, status=400, member_form=form)
    if password is None:
        messages.success(request, f"{membership.user.get_username()} joined as {membership.role}.")
        return _back(team)
    context = {"team": team, "membership": membership, "password": password}
    return render(request, "dashboard/team_admin/member_added.html", context)


@require_POST
@team_admin_page
def member_role(request, *, team, membership_id: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, team, status=400, problem="Choose a role: viewer or admin.")
    try:
        membership = manage.member_role_set(
            team=team,
            actor=request.user,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        )
    except InvalidInput as exc:
        return _page(request, team, status=400, problem=str(exc))
    messages.success(request, f"{membership.user.get_username()} is now {membership.role}.")
    return _back(team)


@require_POST
@team_admin_page
def member_remove(request, *, team, membership_id: int):
    try:
        name = manage.member_remove(team=team, actor=request.user, membership_id=membership_id)
    except InvalidInput as exc:
        return _page(request, team, status=400, problem=str(exc))
    messages.success(request, f"{name} left the team (their login stays, for other teams).")
    if not manage.can_manage(request.user, team):
        return redirect("dashboard:home")  # they removed themselves
    return _back(team)


@require_POST
@team_admin_page
def key_create(request, *, team):
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _page(request, team, status=400, key_form=form)
    try:
        key, plain = manage.key_create(team=team, actor=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        form.add_error(None, str(exc))
        return _page(request, team, status=400, key_form=form)
    context = {"team": team, "key": key, "plain": plain}
    return render(request, "dashboard/team_admin/key_created.html", context, status=201)


@require_POST
@team_admin_page
def key_revoke(request, *, team, key_id: int):
    key = manage.key_revoke(team=team, actor=request.user, key_id=key_id)
    messages.success(request, f"Key {key.prefix}… ({key.name or 'unnamed'}) is revoked.")
    return _back(team)


@require_POST
@team_admin_page
def time_zone_set(request, *, team):
    """Where the team's dashboard days begin (tracking/catalog.py: every figure's day)."""
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            manage.time_zone_set(
                team=team, actor=request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except InvalidInput as exc:
            form.add_error("time_zone", str(exc))
        else:
            messages.success(
                request, f"The dashboard's days now begin at midnight {team.time_zone}."
            )
            return _back(team)
    return _page(request, team, status=400, zone_form=form)
