"""The Code's clock for one stage, on rows built by hand: caps, late and missing acknowledgements."""

from __future__ import annotations

from datetime import date

from intake.calendar import calendar_for
from intake.reports.cohorts import sort_into, time_all
from intake.reports.data import CaseRow, Dataset, ExclusionRow, ExtensionRow, StageRow
from intake.reports.period import parse_period
from intake.reports.timeliness import LATE, ON_TIME, PENDING, CodeClock, time_stage
from store.models import ExclusionGround

CLOCK = CodeClock(calendar_for("england"))


def stage(
    requested: date, acknowledged: date | None, responded: date | None, n: int = 1
) -> StageRow:
    return StageRow(1, n, requested, acknowledged, responded, "upheld" if responded else "", "")


def extension(to_date: date, n: int = 1) -> ExtensionRow:
    return ExtensionRow(1, n, to_date, 0, "Waiting for a survey", False, to_date)


def test_easter_is_not_a_working_day() -> None:
    # Received Thu 25 March 2027; Good Friday 26 and Easter Monday 29 March are bank holidays,
    # so the 5 working days are 30 and 31 March, 1, 2 and 5 April.
    timing = time_stage(
        stage(date(2027, 3, 25), date(2027, 4, 5), None), CLOCK, [], date(2027, 4, 6)
    )
    assert timing.acknowledge_by == date(2027, 4, 5)
    assert timing.acknowledgement == ON_TIME
    # Respond by 10 working days after Mon 5 April = Mon 19 April; not answered on 6 April.
    assert timing.respond_by == date(2027, 4, 19)
    assert timing.overdue is False and timing.within_code is None


def test_an_extension_counts_only_up_to_the_codes_cap() -> None:
    # Acknowledged Mon 1 Feb 2027: respond by Mon 15 Feb; the Code's cap is 10 more working
    # days, Mon 1 March. An extension to 12 March is recorded, but only 1 March counts.
    row = stage(date(2027, 2, 1), date(2027, 2, 1), date(2027, 3, 5))
    timing = time_stage(row, CLOCK, [extension(date(2027, 3, 12))], date(2027, 4, 1))
    assert (timing.respond_by, timing.allowed_by) == (date(2027, 2, 15), date(2027, 3, 1))
    assert timing.extended and timing.within_code is False and timing.within_extension is False
    within = time_stage(
        stage(date(2027, 2, 1), date(2027, 2, 1), date(2027, 3, 1)),
        CLOCK,
        [extension(date(2027, 3, 12))],
        date(2027, 4, 1),
    )
    assert within.within_extension is True


def test_stage_2_allows_20_working_days_and_an_extension_of_20() -> None:
    # Requested Mon 4 Jan 2027, acknowledged Fri 8 Jan: respond by Fri 5 Feb; cap Fri 5 March.
    row = stage(date(2027, 1, 4), date(2027, 1, 8), date(2027, 3, 5), n=2)
    timing = time_stage(row, CLOCK, [extension(date(2027, 3, 5), n=2)], date(2027, 4, 1))
    assert (timing.respond_by, timing.allowed_by) == (date(2027, 2, 5), date(2027, 3, 5))
    assert timing.within_extension is True and timing.within_code is False


def test_missing_acknowledgements_are_pending_then_late_then_overdue() -> None:
    row = stage(date(2027, 1, 4), None, None)  # acknowledge by Mon 11 Jan
    assert time_stage(row, CLOCK, [], date(2027, 1, 11)).acknowledgement == PENDING
    late = time_stage(row, CLOCK, [], date(2027, 1, 12))
    assert late.acknowledgement == LATE and late.overdue is False
    # Even acknowledged on 11 Jan it was due by Mon 25 Jan: overdue from the 26th.
    assert time_stage(row, CLOCK, [], date(2027, 1, 25)).overdue is False
    assert time_stage(row, CLOCK, [], date(2027, 1, 26)).overdue is True


def test_a_response_without_a_separate_acknowledgement_acknowledges_too() -> None:
    timing = time_stage(
        stage(date(2027, 1, 4), None, date(2027, 1, 6)), CLOCK, [], date(2027, 2, 1)
    )
    assert timing.acknowledgement == ON_TIME and timing.within_code is True


def test_a_refused_stage_2_request_counts_as_refused_in_the_month_it_was_asked_for() -> None:
    data = Dataset(today=date(2027, 4, 1))
    data.cases[1] = CaseRow(
        1, "complaint", "refused", "email", "", date(2026, 12, 1), "", 0, (), False
    )
    data.stages = [
        stage(date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 10)),
        stage(date(2027, 1, 20), None, None, n=2),
    ]
    data.exclusions = [ExclusionRow(1, 2, ExclusionGround.PREVIOUSLY_CONSIDERED)]
    timings = time_all(data, CLOCK)
    january = sort_into(parse_period("2027-01-01", "2027-01-31"), data, timings)
    assert january.received[2] == [] and [e.stage for e in january.refused] == [2]
    december = sort_into(parse_period("2026-12-01", "2026-12-31"), data, timings)
    assert [t.row.stage for t in december.received[1]] == [1] and december.refused == []
