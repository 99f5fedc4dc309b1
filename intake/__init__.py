"""Intake: complaint and service-request triage under the Housing Ombudsman's Complaint Handling Code."""

__version__ = "0.1.0"
