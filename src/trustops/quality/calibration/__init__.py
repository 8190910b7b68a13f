"""Calibration sessions: several reviewers label the same items, and how far they agree."""
