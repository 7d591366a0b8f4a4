"""Commit attribution by tool and model (docs/tools.md).

Every source of commit attribution is reduced to one shape: per commit (repository + hash),
lines added and deleted split into parts by tool, model and kind (ai, human, unknown). When
two sources describe the same commit, one wins by PRECEDENCE (never summed):

    git-ai note  >  Agent Trace records  >  the Cursor / Qoder commit record

- `parse`: the sources' formats to ranges and parts (pure functions, no database);
- `resolve`: the winning source per commit, its CommitAttribution and parts, and the delta of
  the TeamToolDay summary table, in the writer's transaction;
- `figures`: the figures by tool and model, from the records (`raw_*`) or the summary table.
"""

PRECEDENCE = ("gitai", "agent_trace", "cursor", "qoder")
