"""Working-day deadlines (Code 6.2, 6.3, 6.4, 6.11, 6.14, 6.15) across the UK's bank holidays."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from intake.calendar import calendar_for
from intake.cli import main
from intake.deadlines import DeadlineError, compute_deadlines
from intake.settings import Nation, Policy


def deadlines(
    received: str, nation: str = "england", stage: int = 1, acknowledged: str | None = None
) -> dict[str, str]:
    args = ["deadlines", "--received", received, "--stage", str(stage), "--nation", nation]
    if acknowledged:
        args += ["--acknowledged", acknowledged]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_christmas_and_new_year_2026_with_substitute_boxing_day() -> None:
    """6.2/6.3/6.4: Christmas Day, Boxing Day (Saturday, substitute Monday 28th), New Year's Day."""
    assert deadlines("2026-12-24T16:30") == {
        "acknowledge_by": "2027-01-05",
        "respond_by": "2027-01-19",
        "extension_limit": "2027-02-02",
    }


def test_received_on_saturday_counts_from_next_working_day() -> None:
    """A weekend receipt starts the clock on Monday: 21 Nov 2026 (Sat) -> Mon 23 + 5 = Mon 30."""
    assert deadlines("2026-11-21T10:00")["acknowledge_by"] == "2026-11-30"


def test_received_on_a_bank_holiday_counts_from_next_working_day() -> None:
    """Received on the substitute Boxing Day (Mon 28 Dec 2026): day zero is Tue 29 Dec."""
    assert deadlines("2026-12-28T09:00")["acknowledge_by"] == "2027-01-06"
    # Boxing Day itself (a Saturday) gives the same.
    assert deadlines("2026-12-26T12:00")["acknowledge_by"] == "2027-01-06"


def test_easter_2027_england_and_scotland() -> None:
    """Good Friday (26 Mar) everywhere; Easter Monday (29 Mar) is not a holiday in Scotland."""
    assert deadlines("2027-03-25T11:00")["acknowledge_by"] == "2027-04-05"
    assert deadlines("2027-03-25T11:00", nation="scotland")["acknowledge_by"] == "2027-04-02"


def test_early_may_and_spring_bank_holidays_2027() -> None:
    """3 May and 31 May 2027 are skipped at every step."""
    assert deadlines("2027-04-30T15:00") == {
        "acknowledge_by": "2027-05-10",
        "respond_by": "2027-05-24",
        "extension_limit": "2027-06-08",
    }


def test_scotland_2_january_and_st_andrews_day() -> None:
    """Scotland: 2 January (and its substitute) and St Andrew's Day (30 Nov) are holidays."""
    assert deadlines("2025-12-31T10:00", nation="scotland")["acknowledge_by"] == "2026-01-09"
    assert deadlines("2025-12-31T10:00", nation="england")["acknowledge_by"] == "2026-01-08"
    # 2 Jan 2027 is a Saturday: Scotland's substitute is Monday 4 January.
    assert deadlines("2026-12-31T10:00", nation="scotland")["acknowledge_by"] == "2027-01-11"
    assert deadlines("2026-12-31T10:00", nation="england")["acknowledge_by"] == "2027-01-08"
    assert deadlines("2026-11-21T10:00", nation="scotland")["acknowledge_by"] == "2026-12-01"


def test_northern_ireland_st_patricks_day_and_twelfth_of_july() -> None:
    """NI: 17 March and the Battle of the Boyne (12 July 2026 is a Sunday: Monday 13th off)."""
    assert (
        deadlines("2026-03-16T10:00", nation="northern-ireland")["acknowledge_by"] == "2026-03-24"
    )
    assert deadlines("2026-03-16T10:00", nation="england")["acknowledge_by"] == "2026-03-23"
    assert (
        deadlines("2026-07-10T10:00", nation="northern-ireland")["acknowledge_by"] == "2026-07-20"
    )
    assert deadlines("2026-07-10T10:00", nation="england")["acknowledge_by"] == "2026-07-17"


def test_wales_follows_england_and_wales_calendar() -> None:
    assert deadlines("2027-03-25T11:00", nation="wales")["acknowledge_by"] == "2027-04-05"


def test_offsets_are_converted_to_london_time() -> None:
    """With an offset the time is converted to Europe/London; without one it already is."""
    # 23:30 UTC on 30 June is 00:30 BST on 1 July.
    assert deadlines("2026-06-30T23:30:00+00:00")["acknowledge_by"] == "2026-07-08"
    assert deadlines("2026-06-30T23:30")["acknowledge_by"] == "2026-07-07"
    # 23:30 in New York on Christmas Eve is Christmas morning in London (a holiday).
    assert deadlines("2026-12-24T23:30:00-05:00")["acknowledge_by"] == "2027-01-06"


def test_stage_2_uses_twenty_working_days_from_acknowledgement() -> None:
    """6.11: acknowledge a stage 2 request in 5; 6.14: respond in 20; 6.15: extend by 20 more."""
    assert deadlines("2026-11-16T10:00", stage=2) == {
        "acknowledge_by": "2026-11-23",
        "respond_by": "2026-12-21",
        "extension_limit": "2027-01-21",
    }


def test_respond_by_counts_from_actual_acknowledgement() -> None:
    """6.3: the response clock starts at acknowledgement, not receipt."""
    assert deadlines("2026-11-16T10:00", acknowledged="2026-11-18") == {
        "acknowledge_by": "2026-11-23",
        "respond_by": "2026-12-02",
        "extension_limit": "2026-12-16",
    }


def test_bad_input_gets_a_plain_error() -> None:
    result = CliRunner().invoke(main, ["deadlines", "--received", "next tuesday"])
    assert result.exit_code == 2
    assert "not an ISO 8601 date-time" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["deadlines", "--received", "2026-11-16", "--stage", "3"])
    assert result.exit_code == 2


def test_shorter_landlord_targets_are_allowed() -> None:
    """A landlord may acknowledge in 3 working days (as one seed does)."""
    policy = Policy(acknowledge_days=3)
    result = compute_deadlines(
        datetime(2026, 11, 16, 10), calendar=calendar_for(Nation.ENGLAND), policy=policy
    )
    assert result.acknowledge_by == date(2026, 11, 19)


@pytest.mark.parametrize(
    "field,value",
    [
        ("acknowledge_days", 6),
        ("stage1_response_days", 11),
        ("stage2_response_days", 21),
        ("stage1_extension_days", 15),
        ("stage2_extension_days", 25),
    ],
)
def test_no_setting_may_exceed_the_codes_caps(field: str, value: int) -> None:
    """6.2-6.16: the Code's limits are caps no setting may exceed."""
    with pytest.raises(ValidationError, match="maximum"):
        Policy(**{field: value})


def test_there_is_no_stage_zero_or_three() -> None:
    """5.2, 5.3: two stages only."""
    for stage in (0, 3):
        with pytest.raises(DeadlineError):
            compute_deadlines(
                date(2026, 11, 16), calendar=calendar_for(Nation.ENGLAND), stage=stage
            )
