"""Letters to residents, rendered from editable Jinja2 templates (Code 2.4, 5.6, 6.5, 6.9, 6.19)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from intake.definition import complete_definition
from intake.settings import Settings
from store.models import Case, ExclusionGround, Outcome

LETTERS = (
    "acknowledgement",
    "service_request",
    "how_to_complain",
    "extension",
    "refusal",
    "stage_response",
)

GROUND_TEXT = {
    ExclusionGround.OVER_12_MONTHS: (
        "the issue you raised happened, or you became aware of it, more than 12 months ago, "
        "and we have considered whether there are good reasons to look at it anyway"
    ),
    ExclusionGround.LEGAL_PROCEEDINGS: (
        "legal proceedings about this matter have started (a claim has been filed at court)"
    ),
    ExclusionGround.PREVIOUSLY_CONSIDERED: (
        "this matter has already been considered under our complaints policy"
    ),
    ExclusionGround.OTHER_POLICY_REASON: "of the reason set out below",
}

DECISION_TEXT = {
    Outcome.UPHELD: "We have upheld your complaint.",
    Outcome.PARTLY_UPHELD: "We have partly upheld your complaint.",
    Outcome.NOT_UPHELD: "We have not upheld your complaint.",
    Outcome.WITHDRAWN: "You have told us you wish to withdraw your complaint.",
    Outcome.RESOLVED: "We have resolved your request.",
}


@dataclass(frozen=True)
class Letter:
    """A rendered letter: which template, the subject line and the plain-text body."""

    kind: str
    subject: str
    body: str


def long_date(day: date | datetime | None) -> str:
    """A date as residents read it: Tuesday 5 January 2027."""
    if day is None:
        return ""
    return f"{day:%A} {day.day} {day:%B %Y}"


def money(pence: int) -> str:
    """Pence as pounds: £1,250.00."""
    return f"£{pence / 100:,.2f}"


class LetterWriter:
    """Renders letters; templates in the configured folder override the built-in ones."""

    def __init__(self, settings: Settings, templates_dir: Path | None = None):
        loaders: list[Any] = []
        custom = templates_dir or settings.data_dir / "templates" / "letters"
        if custom.is_dir():
            loaders.append(FileSystemLoader(custom))
        loaders.append(PackageLoader("intake", "templates/letters"))
        # Plain-text letters: no HTML escaping; undefined names fail loudly in tests.
        self.env = Environment(  # noqa: S701 - plain text, never HTML
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
        )
        self.settings = settings

    def base_context(self, case: Case, resident_name: str, signatory: str) -> dict[str, Any]:
        """What every letter may use."""
        definition = complete_definition(case.definition)
        return {
            "reference": case.reference,
            "stage": case.stage or 1,
            "resident_name": resident_name or "resident",
            "landlord_name": self.settings.landlord_name,
            "received_on": long_date(case.received_at.astimezone(self._zone())),
            "definition": definition,
            "ombudsman": self.settings.ombudsman,
            "signatory": signatory or "Complaints team",
        }

    def render(self, kind: str, context: dict[str, Any]) -> Letter:
        """Render one letter; the template's first line is its subject."""
        if kind not in LETTERS:
            raise ValueError(f"There is no letter called {kind!r}")
        text = self.env.get_template(f"{kind}.txt.j2").render(**context).lstrip("\n")
        first, _, rest = text.partition("\n")
        subject = first.removeprefix("Subject:").strip()
        return Letter(kind=kind, subject=subject, body=rest.strip("\n") + "\n")

    def _zone(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.settings.timezone)
