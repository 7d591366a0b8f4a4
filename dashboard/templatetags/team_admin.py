"""`{% manage_url team as url %}`: the team management page's URL for a person who may manage
the team (its admins, superusers), else "". One indexed query, none for a superuser."""

from __future__ import annotations

from django import template
from django.urls import reverse

from teams.team_management import can_manage

register = template.Library()


@register.simple_tag(takes_context=True)
def manage_url(context, team) -> str:
    request = context.get("request")
    if team is None or request is None or not getattr(team, "slug", None):
        return ""
    if not can_manage(request.user, team):
        return ""
    return reverse("dashboard:team-admin", kwargs={"slug": team.slug})
