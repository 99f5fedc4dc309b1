"""What makes a report reproducible, as label and value pairs shared by every format."""

from __future__ import annotations

from intake.reports.model import Report

NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}


def context_lines(report: Report) -> list[tuple[str, str, str]]:
    """What makes the report reproducible, as (key, label, value) for every format."""
    policy = report.policy
    code = report.code_limits
    period = report.period.describe()
    if report.period.label:
        period = f"{report.period.label}: {period}"
    return [
        ("period", "Period", period),
        ("produced", "Produced", report.produced_at.strftime("%d %B %Y at %H:%M %Z").lstrip("0")),
        ("landlord", "Landlord", report.landlord),
        (
            "working_days",
            "Working days",
            f"Monday to Friday less the bank holidays of {NATIONS[report.nation]}",
        ),
        (
            "code_timescales",
            "Code timescales",
            f"acknowledge in {code['acknowledge_days']} working days; respond in "
            f"{code['stage1_response_days']} (stage 1) or {code['stage2_response_days']} "
            f"(stage 2), extendable by at most {code['stage1_extension_days']} or "
            f"{code['stage2_extension_days']} more",
        ),
        (
            "policy",
            "Landlord's own targets",
            f"acknowledge in {policy['acknowledge_days']} (stage 2: "
            f"{policy['stage2_acknowledge_days']}) working days; respond in "
            f"{policy['stage1_response_days']} (stage 1) or {policy['stage2_response_days']} "
            "(stage 2). Figures here are measured against the Code's timescales.",
        ),
        ("homes", "Homes", f"{report.homes_count:,}" if report.homes_count else "not configured"),
    ]
