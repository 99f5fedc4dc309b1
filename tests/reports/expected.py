"""Every figure of the report on tests/reports/store.py, worked out by hand.

Each entry: key -> (count, out of, share as printed, the cases behind it by their names in
store.Known). Shares are None for plain counts.
"""

from __future__ import annotations

S1 = {"c1", "c2", "c3", "c6", "c7", "c8"}  # stage 1 complaints received, not refused

SECTIONS: dict[str, tuple[int, int | None, str | None, set[str]]] = {
    # Received: C4 and C5 were refused, C9 and SR3 arrived before the period.
    "received.stage1": (6, None, None, S1),
    "received.stage2": (1, None, None, {"c3"}),
    "received.refused": (2, None, None, {"c4", "c5"}),
    "received.service_requests": (2, None, None, {"sr1", "sr2"}),
    "received.other": (1, None, None, {"o1"}),
    "received.awaiting_triage": (1, None, None, {"n1"}),
    # CH01: 6 / 2,000 homes x 1,000 = 3.00; 1 / 2,000 x 1,000 = 0.50.
    "tsm.ch01.stage1": (6, None, None, S1),
    "tsm.ch01.stage2": (1, None, None, {"c3"}),
    # CH02: stage 1 answered in the period: C1 on time, C3 within its extension, C2 late.
    "tsm.ch02.stage1": (2, 3, "66.7%", {"c1", "c3"}),
    "tsm.ch02.stage2": (1, 1, "100.0%", {"c3"}),
    # Acknowledgement: C2 on 29 Dec is on time only because 25 and 28 Dec are bank holidays;
    # C8 was a day late; C7 was never acknowledged; C6 is due on the day of the report.
    "ack.stage1.on_time": (3, 5, "60.0%", {"c1", "c2", "c3"}),
    "ack.stage1.late": (2, 5, "40.0%", {"c7", "c8"}),
    "ack.stage1.pending": (1, None, None, {"c6"}),
    "ack.stage2.on_time": (1, 1, "100.0%", {"c3"}),
    "ack.stage2.late": (0, 1, "0.0%", set()),
    "ack.stage2.pending": (0, None, None, set()),
    "response.stage1.sent": (3, None, None, {"c1", "c2", "c3"}),
    "response.stage1.within_code": (1, 3, "33.3%", {"c1"}),
    "response.stage1.within_extension": (2, 3, "66.7%", {"c1", "c3"}),
    "response.stage1.late": (1, 3, "33.3%", {"c2"}),
    "response.stage1.extended": (1, 3, "33.3%", {"c3"}),
    "response.stage1.overdue": (1, None, None, {"c8"}),
    "response.stage2.sent": (1, None, None, {"c3"}),
    "response.stage2.within_code": (1, 1, "100.0%", {"c3"}),
    "response.stage2.within_extension": (1, 1, "100.0%", {"c3"}),
    "response.stage2.late": (0, 1, "0.0%", set()),
    "response.stage2.extended": (0, 1, "0.0%", set()),
    "response.stage2.overdue": (0, None, None, set()),
    # One extension: C3, 23 Nov to 7 Dec = 10 working days, agreed with the resident.
    "extensions.total": (1, None, None, {"c3"}),
    "extensions.stage1": (1, 1, "100.0%", {"c3"}),
    "extensions.stage2": (0, 1, "0.0%", set()),
    "extensions.length.up-to-5": (0, 1, "0.0%", set()),
    "extensions.length.6-to-10": (1, 1, "100.0%", {"c3"}),
    "extensions.length.11-to-20": (0, 1, "0.0%", set()),
    "extensions.agreed": (1, 1, "100.0%", {"c3"}),
    "extensions.reason.waiting-for-a-damp-survey": (1, 1, "100.0%", {"c3"}),
    "refused.total": (2, None, None, {"c4", "c5"}),
    "refused.stage1": (2, 2, "100.0%", {"c4", "c5"}),
    "refused.stage2": (0, 2, "0.0%", set()),
    "refused.over_12_months": (1, 2, "50.0%", {"c4"}),
    "refused.legal_proceedings": (1, 2, "50.0%", {"c5"}),
    "refused.previously_considered": (0, 2, "0.0%", set()),
    "refused.other_policy_reason": (0, 2, "0.0%", set()),
    "outcome.stage1.upheld": (1, 3, "33.3%", {"c1"}),
    "outcome.stage1.partly_upheld": (1, 3, "33.3%", {"c3"}),
    "outcome.stage1.not_upheld": (1, 3, "33.3%", {"c2"}),
    "outcome.stage1.withdrawn": (0, 3, "0.0%", set()),
    "outcome.stage2.upheld": (1, 1, "100.0%", {"c3"}),
    "outcome.stage2.partly_upheld": (0, 1, "0.0%", set()),
    "outcome.stage2.not_upheld": (0, 1, "0.0%", set()),
    "outcome.stage2.withdrawn": (0, 1, "0.0%", set()),
    "remedy.stage1": (2, 3, "66.7%", {"c1", "c3"}),
    "remedy.stage2": (1, 1, "100.0%", {"c3"}),
    # Latest responses in the period: C1 (17 Nov), C2 (14 Jan), C3 (13 Jan, stage 2).
    # Compensation: C1 £50 + C3 £100 + £50 = £200.
    "compensation.cases": (2, 3, "66.7%", {"c1", "c3"}),
    "compensation.total": (2, None, None, {"c1", "c3"}),
    "channel.stage1.email": (3, 6, "50.0%", {"c1", "c6", "c8"}),
    "channel.stage1.chat": (1, 6, "16.7%", {"c2"}),
    "channel.stage1.phone": (1, 6, "16.7%", {"c3"}),
    "channel.stage1.slack": (1, 6, "16.7%", {"c7"}),
    "channel.stage2.phone": (1, 1, "100.0%", {"c3"}),
    "channel.service_requests.email": (1, 2, "50.0%", {"sr1"}),
    "channel.service_requests.phone": (1, 2, "50.0%", {"sr2"}),
    "category.stage1.repairs": (4, 6, "66.7%", {"c1", "c2", "c6", "c8"}),
    "category.stage1.damp-and-mould": (1, 6, "16.7%", {"c3"}),
    "category.stage1.anti-social-behaviour": (1, 6, "16.7%", {"c7"}),
    "category.stage2.damp-and-mould": (1, 1, "100.0%", {"c3"}),
    "link.stage1": (1, 6, "16.7%", {"c8"}),
    "hazard.stage1.any": (1, 6, "16.7%", {"c3"}),
    "hazard.stage1.damp_mould": (1, 6, "16.7%", {"c3"}),
    "vulnerability.stage1": (1, 6, "16.7%", {"c3"}),
    "hazard.service_requests.any": (2, 2, "100.0%", {"sr1", "sr2"}),
    "hazard.service_requests.water_leak": (1, 2, "50.0%", {"sr1"}),
    "hazard.service_requests.pests": (1, 2, "50.0%", {"sr2"}),
    "vulnerability.service_requests": (1, 2, "50.0%", {"sr2"}),
    "sr.type.repairs": (1, 2, "50.0%", {"sr1"}),
    "sr.type.pest-control": (1, 2, "50.0%", {"sr2"}),
}

Q1, Q2, Q3, Q4 = "2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01"
# Quarter-on-quarter: Q1 and Q2 come before the period and are shown for comparison.
# (count, out of) per quarter, with the cases where there are any.
TABLES: dict[str, tuple[int, int | None, set[str]]] = {
    **{f"quarter.{Q1}.{m}": (0, None, set()) for m in ("stage1", "stage2", "refused")},
    f"quarter.{Q1}.service_requests": (0, None, set()),
    f"quarter.{Q1}.acknowledged": (0, 0, set()),
    f"quarter.{Q1}.stage1_within_code": (0, 0, set()),
    f"quarter.{Q1}.stage1_ch02": (0, 0, set()),
    f"quarter.{Q1}.stage2_within_code": (0, 0, set()),
    f"quarter.{Q1}.stage2_ch02": (0, 0, set()),
    # Q2: C9 received 7 Sep, acknowledged 8 Sep, answered 21 Sep; SR3 on 3 Aug.
    f"quarter.{Q2}.stage1": (1, None, {"c9"}),
    f"quarter.{Q2}.stage2": (0, None, set()),
    f"quarter.{Q2}.refused": (0, None, set()),
    f"quarter.{Q2}.service_requests": (1, None, {"sr3"}),
    f"quarter.{Q2}.acknowledged": (1, 1, {"c9"}),
    f"quarter.{Q2}.stage1_within_code": (1, 1, {"c9"}),
    f"quarter.{Q2}.stage1_ch02": (1, 1, {"c9"}),
    f"quarter.{Q2}.stage2_within_code": (0, 0, set()),
    f"quarter.{Q2}.stage2_ch02": (0, 0, set()),
    # Q3: received C1, C2, C3, C8 (and C3's stage 2); answered C1 and C3 at stage 1.
    f"quarter.{Q3}.stage1": (4, None, {"c1", "c2", "c3", "c8"}),
    f"quarter.{Q3}.stage2": (1, None, {"c3"}),
    f"quarter.{Q3}.refused": (2, None, {"c4", "c5"}),
    f"quarter.{Q3}.service_requests": (1, None, {"sr1"}),
    f"quarter.{Q3}.acknowledged": (4, 5, {"c1", "c2", "c3"}),
    f"quarter.{Q3}.stage1_within_code": (1, 2, {"c1"}),
    f"quarter.{Q3}.stage1_ch02": (2, 2, {"c1", "c3"}),
    f"quarter.{Q3}.stage2_within_code": (0, 0, set()),
    f"quarter.{Q3}.stage2_ch02": (0, 0, set()),
    # Q4: received C6 (pending) and C7 (late); answered C2 late, C3's stage 2 on time.
    f"quarter.{Q4}.stage1": (2, None, {"c6", "c7"}),
    f"quarter.{Q4}.stage2": (0, None, set()),
    f"quarter.{Q4}.refused": (0, None, set()),
    f"quarter.{Q4}.service_requests": (1, None, {"sr2"}),
    f"quarter.{Q4}.acknowledged": (0, 1, set()),
    f"quarter.{Q4}.stage1_within_code": (0, 1, set()),
    f"quarter.{Q4}.stage1_ch02": (0, 1, set()),
    f"quarter.{Q4}.stage2_within_code": (1, 1, {"c3"}),
    f"quarter.{Q4}.stage2_ch02": (1, 1, {"c3"}),
    "month.2026-11.stage1": (3, None, {"c1", "c3", "c8"}),
    "month.2026-12.stage1": (1, None, {"c2"}),
    "month.2027-01.stage1": (2, None, {"c6", "c7"}),
    "month.2026-11.stage2": (0, None, set()),
    "month.2026-12.stage2": (1, None, {"c3"}),
    "month.2027-01.stage2": (0, None, set()),
    "month.2026-11.service_requests": (1, None, {"sr1"}),
    "month.2026-12.service_requests": (0, None, set()),
    "month.2027-01.service_requests": (1, None, {"sr2"}),
    f"sr_quarter.{Q1}.repairs": (0, None, set()),
    f"sr_quarter.{Q2}.repairs": (1, None, {"sr3"}),
    f"sr_quarter.{Q3}.repairs": (1, None, {"sr1"}),
    f"sr_quarter.{Q4}.repairs": (0, None, set()),
    f"sr_quarter.{Q1}.pest-control": (0, None, set()),
    f"sr_quarter.{Q2}.pest-control": (0, None, set()),
    f"sr_quarter.{Q3}.pest-control": (0, None, set()),
    f"sr_quarter.{Q4}.pest-control": (1, None, {"sr2"}),
}

# Figures that are not a plain count, as every format prints them.
DISPLAY = {
    "tsm.ch01.stage1": "3.00 per 1,000 homes (6)",
    "tsm.ch01.stage2": "0.50 per 1,000 homes (1)",
    "compensation.total": "£200.00",
}
