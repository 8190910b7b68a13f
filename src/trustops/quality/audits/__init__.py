"""Audits: drawing samples of decisions, auditing them, and the dispute → arbitration path."""
