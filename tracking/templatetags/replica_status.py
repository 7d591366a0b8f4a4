"""`{% replica_status as replicas %}`: the read replicas' state for the admin's index page."""

from __future__ import annotations

from django import template

from common.replicas import replicas_status

register = template.Library()


@register.simple_tag
def replica_status() -> list[dict]:
    return replicas_status()
