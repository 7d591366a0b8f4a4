"""The base of every API view: the team comes from the key, and every read is scoped to it.

Team scoping lives here and only here. Views get `self.team` and read through selectors that
take `team=` as a required keyword; `scoped()` is the only way a view touches a model directly.
A subclass cannot replace these by accident: `__init_subclass__` refuses the override.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from rest_framework.views import APIView

from teams.models import Team

_PROTECTED = ("team", "scoped", "get_queryset")


class TeamScopedAPIView(APIView):
    error_dialect = "cursor"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _PROTECTED if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: team scoping lives in "
                "TeamScopedAPIView only."
            )

    @property
    def team(self) -> Team:
        return self.request.user.team

    def scoped(self, model: type[Model]) -> QuerySet:
        return model._default_manager.filter(team=self.team)

    def get_queryset(self):  # for schema generation and generic helpers
        raise NotImplementedError("Read through selectors with team=self.team, or self.scoped().")
