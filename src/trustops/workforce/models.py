"""The workforce app's tables, kept per subpackage (each part's `models.py`) and gathered here for Django."""
from trustops.workforce.billing.models import (  # noqa: F401
    Invoice,
    InvoiceDispute,
    InvoiceLine,
    VendorCount,
)
from trustops.workforce.contracts.models import Contract, ContractVersion  # noqa: F401
from trustops.workforce.forecasts.models import ForecastModel, ForecastRun  # noqa: F401
from trustops.workforce.improvement.models import ImprovementPlan  # noqa: F401
from trustops.workforce.measurement.models import DecisionRollup, RolledDay  # noqa: F401
from trustops.workforce.plans.models import AllocationRun, StaffingPlan  # noqa: F401
from trustops.workforce.requirements.models import Addendum, Requirement  # noqa: F401
from trustops.workforce.rosters.models import RosterEntry, ShiftTemplate, WorkSession  # noqa: F401
from trustops.workforce.training.models import (  # noqa: F401
    Certification,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    Sop,
)
from trustops.workforce.vendors.models import VendorProfile  # noqa: F401
