"""Root-cause analyses: why errors happen, the corrective action, its owner and due date."""
