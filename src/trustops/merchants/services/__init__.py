"""Merchant use cases, one transaction each: onboarding and lifecycle, qualifications and licences, standing
(health, benefits, funds), listings, configuration. The only code that writes merchants' tables."""
