"""The workforce app's models, one module per part (each part's `models.py`), gathered here for Django."""
from trustops.workforce.forecasts.models import ForecastModel, ForecastRun  # noqa: F401
from trustops.workforce.improvement.models import ImprovementPlan  # noqa: F401
from trustops.workforce.plans.models import AllocationRun, StaffingPlan  # noqa: F401
from trustops.workforce.requirements.models import Addendum, Requirement  # noqa: F401
from trustops.workforce.training.models import (  # noqa: F401
    Certification,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    Sop,
)
