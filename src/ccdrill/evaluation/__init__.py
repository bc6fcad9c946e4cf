"""演练评估 (pure part) — objective timings, findings, corrective actions and commendations.

Everything here is derived from a folded drill (:mod:`ccdrill.domain.fold`) and the scores
(:mod:`ccdrill.domain.scoring`); no database, no web, no wall clock.
"""

from ccdrill.evaluation.actions import (
    Board,
    BoardItem,
    CorrectiveAction,
    board,
    command_post_roles,
    create_action,
    overdue,
    transition,
)
from ccdrill.evaluation.commendations import (
    Commendation,
    CommendationSuggestion,
    confirm,
    suggest_commendations,
)
from ccdrill.evaluation.findings import Finding, suggest_findings
from ccdrill.evaluation.timings import (
    CriticalPath,
    ScenarioTimings,
    StepTiming,
    clock_label,
    mmss,
    scenario_timings,
)

__all__ = [
    "Board", "BoardItem", "Commendation", "CommendationSuggestion", "CorrectiveAction", "CriticalPath",
    "Finding", "ScenarioTimings", "StepTiming", "board", "clock_label", "command_post_roles", "confirm",
    "create_action", "mmss", "overdue", "scenario_timings", "suggest_commendations", "suggest_findings",
    "transition",
]
