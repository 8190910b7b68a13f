"""Quality writers: sampling, audits and disputes, calibration sessions."""
