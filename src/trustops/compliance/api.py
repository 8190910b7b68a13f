"""The compliance API: one router that mounts each part's, so the root API mounts compliance once."""
from ninja import Router

from trustops.compliance.audit.api import router as audit_router
from trustops.compliance.childsafety.api import router as childsafety_router
from trustops.compliance.clocks.api import router as clocks_router
from trustops.compliance.retention.api import router as retention_router
from trustops.compliance.statements.api import router as statements_router
from trustops.compliance.suspensions.api import router as suspensions_router
from trustops.compliance.transparency.api import router as transparency_router

router = Router()
router.add_router("", statements_router)    # statements of reasons, DSA mappings
router.add_router("", clocks_router)        # legal requests and their clocks
router.add_router("", retention_router)     # holds, retention, data subject requests
router.add_router("", audit_router)         # the access audit
router.add_router("", transparency_router)  # the transparency report
router.add_router("", childsafety_router)   # child-safety reports (cleared staff only)
router.add_router("", suspensions_router)   # Art. 23 warnings and suspensions
