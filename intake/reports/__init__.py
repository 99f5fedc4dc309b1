"""Complaint performance reports: Code 8.1 and 9.7, Tenant Satisfaction Measures CH01 and CH02."""
