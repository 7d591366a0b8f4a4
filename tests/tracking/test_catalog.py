"""The figure catalog is the one definition: docs/figures.md is generated from it, the Qoder
overview's keys and formulas come from it, and every measure and dimension is well formed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracking import catalog


def test_docs_figures_md_is_generated_from_the_catalog():
    try:
        call_command("figures_doc", "--check")
    except CommandError as error:  # pragma: no cover - the message says what to run
        pytest.fail(str(error))


def test_the_qoder_overview_is_the_catalogs_measures_in_the_seeds_order():
    sums = {"commits": 2, "lines_added": 10, "lines_deleted": 10, "ai_added": 30,
            "ai_deleted": 0, "over_ai": 1, "accepted_lines": 7, "agent_edits": 1,
            "tab_completions": 2, "tab_suggestions": 3, "messages": 4}  # fmt: skip
    assert catalog.qoder_overview(sums) == {
        "committedTotalLinesEdit": 20,
        "committedAiLinesEdit": 30,
        "acceptedLinesEdit": 7,
        "aiShareRate": 100.0,  # 150 % as sent, clamped
        "agentEditCount": 1,
        "tabCompletionCount": 2,
        "messageCount": 4,
    }


def test_every_measure_and_view_names_known_dimensions_and_says_what_it_is():
    for item in (*catalog.MEASURES, *catalog.CHARTS):
        assert set(item.dimensions) <= set(catalog.BY_KEY), item.key
        assert item.definition.endswith((".", ")")), item.key
    for dimension in catalog.DASHBOARD_FILTERS:
        for family in catalog.FAMILIES:
            applies = any(dimension.key in m.dimensions for m in catalog.MEASURES
                          if m.family is family)  # fmt: skip
            if dimension.key != "member" and not applies:
                assert dimension.reason(family), (dimension.key, family.key)


@pytest.mark.parametrize(("n", "d", "want"), [(0, 0, 0.0), (1, 3, 33.33), (9, 1, 100.0),
                                              (-1, 4, 0.0), (5, 5, 100.0)])  # fmt: skip
def test_shares_are_clamped_to_0_100(n, d, want):
    assert catalog.clamp_rate(n, d) == want
