"""The workforce app's tables, kept per subpackage and gathered here for Django."""
from trustops.workforce.billing.models import (  # noqa: F401
    Invoice,
    InvoiceDispute,
    InvoiceLine,
    VendorCount,
)
from trustops.workforce.contracts.models import Contract, ContractVersion  # noqa: F401
from trustops.workforce.vendors.models import VendorProfile  # noqa: F401
