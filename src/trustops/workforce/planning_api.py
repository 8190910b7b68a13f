"""Workforce planning's API: one router mounting each part's, so the root API mounts planning once."""
from ninja import Router

from trustops.workforce.improvement.api import router as improvement_router
from trustops.workforce.plans.api import router as plans_router
from trustops.workforce.requirements.api import router as requirements_router
from trustops.workforce.training.api import router as training_router

router = Router()
router.add_router("", plans_router)      # forecasts, staffing plans, allocations
router.add_router("", requirements_router)   # staffing requirements and their approval
router.add_router("", training_router)       # SOPs, quizzes, attempts, certifications
router.add_router("", improvement_router)    # improvement plans (corrective actions)
