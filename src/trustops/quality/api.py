"""The quality API: one router that mounts each part's router, so the root API mounts quality once.

Operation ids are spelled out on every endpoint (`operation_id=`): they were published when the endpoints
lived in flat modules, and generated clients depend on them, so moving code must not rename them.
"""
from ninja import Router

from trustops.quality.audits.api import router as audits_router
from trustops.quality.calibration.api import router as calibration_router
from trustops.quality.experiments.api import router as experiments_router
from trustops.quality.golden.api import router as golden_router
from trustops.quality.rca.api import router as rca_router
from trustops.quality.reports.api import router as reports_router

router = Router()
router.add_router("", audits_router)        # samples, audit tasks, audits, disputes, arbitration
router.add_router("", reports_router)       # accuracy, weekly trends, the Pareto of causes
router.add_router("", calibration_router)   # calibration sessions and their agreement
router.add_router("", rca_router)           # root-cause analyses
router.add_router("", experiments_router)   # experiments and the sample-size calculator
router.add_router("", golden_router)        # golden items and accuracy on them
