"""Admin for teams, members and API keys.

An API key is created here like with `manage.py create_api_key`, by teams.services.api_key_create:
the plain key is shown once in a success message, and only its hash is stored. The hash itself
is never a field, a column or a read-only value on any admin page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.validators import validate_email
from django.db.models import CASCADE, Count, Model, QuerySet
from django.utils.html import format_html

from common.admin_paging import (
    CappedCountPaginator,
    has_nul,
    summarised_deleted_objects,
)
from teams.models import KEY_PREFIX_LEN, ApiKey, Member, Team, TeamMembership, normalize_email
from teams.services import api_key_create


def records_of(owner: type[Model], objs) -> dict[str, QuerySet]:
    """What deleting these teams or members cascades to beyond the teams app's own tables (the
    tracking app's commits, changes, messages...), for the delete summary. Found through the
    relations pointing at the owner, so this lower layer imports nothing of the ones above.
    Summary tables (`summary_table = True`: figures derived from the records) are not listed."""
    own = {Team, Member, ApiKey, TeamMembership}
    return {
        rel.related_model._meta.verbose_name_plural: rel.related_model._default_manager.filter(
            **{f"{rel.field.name}__in": objs}
        )
        for rel in owner._meta.related_objects
        if rel.related_model not in own
        and rel.on_delete is CASCADE
        and not getattr(rel.related_model, "summary_table", False)
    }


class NulSafeSearch:
    """PostgreSQL rejects NUL in text parameters: a search containing one finds nothing."""

    def get_search_results(self, request, queryset, search_term):
        if has_nul(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ("team", "email", "display_name")

    def clean_email(self) -> str:
        # Normalised here so the (team, email) uniqueness check sees the stored form.
        email = normalize_email(self.cleaned_data["email"])
        validate_email(email)
        return email


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    """Who may open a team's dashboard, and as what (viewer, admin). Its own list rather than an
    inline on the team: an inline's formset would be required in every team form post."""

    list_display = ("user", "team", "role", "created_at")
    list_select_related = ("user", "team")
    list_filter = ("role", "team")
    search_fields = ("user__username", "user__email", "team__name")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(NulSafeSearch, admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "uuid",
        "time_zone",
        "member_count",
        "data_version",
        "created_at",
    )
    search_fields = ("name", "slug")
    readonly_fields = ("uuid", "data_version", "created_at")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        # One grouped query for the member counts of a page, not one per row.
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj: Team) -> int:
        return obj.member_count

    def get_deleted_objects(self, objs, request):
        related = {"members": Member.objects.filter(team__in=objs)} | records_of(Team, objs)
        return summarised_deleted_objects(objs, request, related)


@admin.register(Member)
class MemberAdmin(NulSafeSearch, admin.ModelAdmin):
    form = MemberForm
    list_display = ("email", "display_name", "team", "public_id", "uuid", "created_at")
    list_select_related = ("team",)
    list_filter = ("team",)
    search_fields = ("email", "display_name")
    autocomplete_fields = ("team",)
    readonly_fields = ("public_id", "uuid", "created_at")
    # One capped count per page instead of two full COUNT(*)s (filtered and total).
    paginator = CappedCountPaginator
    show_full_result_count = False

    def get_deleted_objects(self, objs, request):
        return summarised_deleted_objects(objs, request, records_of(Member, objs))

    # Members' emails and names are in the API's answers: every write makes the cached
    # responses (ETags) of the teams involved stale.
    def save_model(self, request, obj: Member, form, change: bool) -> None:
        previous_team = form.initial.get("team") if change else None
        super().save_model(request, obj, form, change)
        bump_teams({obj.team_id, previous_team} - {None})

    def delete_model(self, request, obj: Member) -> None:
        super().delete_model(request, obj)
        bump_teams({obj.team_id})

    def delete_queryset(self, request, queryset) -> None:
        team_ids = set(queryset.values_list("team_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        bump_teams(team_ids)


def bump_teams(team_ids) -> None:
    for team in Team.objects.filter(id__in=team_ids):
        team.bump_data_version()


@admin.register(ApiKey)
class ApiKeyAdmin(NulSafeSearch, admin.ModelAdmin):
    list_display = (
        "prefix_shown", "name", "team", "can_read", "can_ingest", "revoked", "created_at",
        "last_used_at",
    )  # fmt: skip
    list_select_related = ("team",)
    list_filter = ("team", "revoked", "can_read", "can_ingest")
    search_fields = ("prefix", "name", "team__slug")
    autocomplete_fields = ("team",)
    actions = ("revoke_keys",)
    # hashed_key is excluded everywhere: not a form field, not a read-only field.
    exclude = ("hashed_key",)

    def get_search_results(self, request, queryset, search_term):
        # A pasted whole key is found by its visible prefix (the rest is never stored).
        term = search_term.strip()
        if term.startswith("ak_") and len(term) > KEY_PREFIX_LEN and not has_nul(term):
            return queryset.filter(prefix=term[:KEY_PREFIX_LEN]), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="key", ordering="prefix")
    def prefix_shown(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("team", "name", "can_read", "can_ingest", "repository")
        return ("team", "prefix_shown", "name", "can_read", "can_ingest", "repository",
                "revoked", "created_at", "last_used_at")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A key keeps its team; revoking is one-way and done with the action.
        return ("team", "prefix_shown", "revoked", "created_at", "last_used_at")

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        key, plain = api_key_create(
            team=obj.team, name=obj.name, can_read=obj.can_read, can_ingest=obj.can_ingest
        )
        if obj.repository:  # git-ai's notes backend: the repository this key's notes belong to
            key.repository = obj.repository
            key.save(update_fields=["repository"])
        # The admin goes on with `obj` (log entry, redirect): make it the saved key.
        obj.pk, obj.prefix, obj.hashed_key, obj.created_at = (
            key.pk,
            key.prefix,
            key.hashed_key,
            key.created_at,
        )
        obj._state.adding, obj._state.db = False, key._state.db
        messages.success(
            request,
            format_html(
                "New API key for {}: <code>{}</code> Copy it now: only its hash is stored, "
                "it will not be shown again.",
                obj.team,
                plain,
            ),
        )

    @admin.action(description="Revoke selected keys")
    def revoke_keys(self, request, queryset) -> None:
        revoked = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)
