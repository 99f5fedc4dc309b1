"""Intake: complaint and service-request triage under the Complaint Handling Code 2024."""

__version__ = "0.1.0"
