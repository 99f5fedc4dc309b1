"""The chat's wording: built-in TOML, overridable by the landlord without code, checked at start."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from intake.settings import Settings

BUILT_IN = Path(__file__).parent / "wording.toml"
OVERRIDE_NAME = "chat_wording.toml"


class WordingError(ValueError):
    """The landlord's wording file has a mistake; the message names the entry."""


def _bullets(items: Any) -> str:
    return "\n".join(f"• {item}" for item in items or [])


def _merge(base: dict[str, Any], override: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        name = f"{where}{key}"
        if key not in base and not where.startswith("hazard_advice"):
            raise WordingError(f"The chat wording file has an unknown entry '{name}'.")
        if isinstance(value, Mapping):
            merged[key] = _merge(dict(base.get(key) or {}), value, f"{name}.")
        elif not isinstance(value, str):
            raise WordingError(f"The chat wording entry '{name}' must be text.")
        else:
            merged[key] = value
    return merged


class Wording:
    """Every line the chat can say, rendered with the landlord's details filled in."""

    def __init__(self, entries: dict[str, Any], settings: Settings):
        # Sandboxed: the file is the landlord's, but its templates must not reach Python.
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self.env.filters["bullets"] = _bullets
        self.entries = entries
        policy = settings.policy
        self.base: dict[str, Any] = {
            "landlord_name": settings.landlord_name,
            "emergency_phone": settings.emergency_phone,
            "acknowledge_days": policy.acknowledge_days,
            "stage1_days": policy.stage1_response_days,
            "stage2_acknowledge_days": policy.stage2_acknowledge_days,
            "stage2_days": policy.stage2_response_days,
            "ombudsman_name": settings.ombudsman.name,
            "ombudsman_phone": settings.ombudsman.telephone,
            "ombudsman_website": settings.ombudsman.website,
            "max_chars": f"{settings.chat_max_message_chars:,}",
        }
        self._check()

    def _check(self) -> None:
        # Render everything once with sample values, so a typo stops `intake serve` at start
        # with a plain message instead of breaking a resident's chat later.
        sample = {
            "reference": "INT-000001",
            "acknowledge_by": "Monday 23 November 2026",
            "issues": ["Sample issue"],
            "outcomes": ["Sample outcome"],
            "resident": "Sample Name",
            "adjustment": "Large print",
        }
        for section in ("ui", "bot", "errors", "choices"):
            for key in self.entries.get(section, {}):
                self.render(f"{section}.{key}", **sample)
        for hazard, advice in self.entries.get("hazard_advice", {}).items():
            if advice.get("when", "always") not in ("always", "vulnerable"):
                raise WordingError(f'hazard_advice.{hazard}.when must be "always" or "vulnerable".')
            self.render_template(str(advice.get("text", "")), f"hazard_advice.{hazard}")

    def render(self, key: str, **values: Any) -> str:
        """One entry, e.g. "bot.greeting", with the landlord's details and `values` filled in."""
        section, _, name = key.partition(".")
        try:
            template = self.entries[section][name]
        except KeyError:
            raise WordingError(f"The chat wording has no entry '{key}'.") from None
        return self.render_template(template, key, **values)

    def render_template(self, template: str, key: str, **values: Any) -> str:
        """Render one template string; a mistake names the entry it came from."""
        try:
            return self.env.from_string(template).render(**self.base, **values).strip()
        except TemplateError as exc:
            raise WordingError(f"The chat wording entry '{key}' has a mistake: {exc}") from exc

    def hazard_advice(self, hazards: list[str], vulnerable: bool) -> list[tuple[str, str]]:
        """(hazard, advice) for each hazard that needs advice now, in a stable order."""
        out = []
        for hazard, advice in self.entries.get("hazard_advice", {}).items():
            if hazard not in hazards:
                continue
            if advice.get("when", "always") == "vulnerable" and not vulnerable:
                continue
            out.append((hazard, self.render_template(advice["text"], f"hazard_advice.{hazard}")))
        return out

    def ui(self) -> dict[str, str]:
        """The labels the widget shows before and around the conversation."""
        return {key: self.render(f"ui.{key}") for key in self.entries["ui"]} | {
            f"error_{key}": self.render(f"errors.{key}") for key in self.entries["errors"]
        }


def wording_file(settings: Settings) -> Path | None:
    """The landlord's wording file, if there is one."""
    if settings.chat_wording_file is not None:
        return settings.chat_wording_file
    candidate = settings.data_dir / OVERRIDE_NAME
    return candidate if candidate.is_file() else None


def load_wording(settings: Settings) -> Wording:
    """The built-in wording with the landlord's file, if any, laid over it."""
    with BUILT_IN.open("rb") as fh:
        entries = tomllib.load(fh)
    path = wording_file(settings)
    if path is not None:
        try:
            with path.open("rb") as fh:
                override = tomllib.load(fh)
        except OSError as exc:
            raise WordingError(f"The chat wording file {path} cannot be read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise WordingError(f"The chat wording file {path} is not valid TOML: {exc}") from exc
        entries = _merge(entries, override)
    return Wording(entries, settings)
