"""The `intake` console script: a click group whose commands load lazily from intake.commands."""

from __future__ import annotations

import importlib
import importlib.util
import os

import click

# Each command lives in its own module so `intake deadlines` does not import torch.
COMMANDS: dict[str, str] = {
    "serve": "intake.commands.serve:serve",
    "classify": "intake.commands.classify:classify",
    "train": "intake.commands.train:train",
    "deadlines": "intake.commands.deadlines:deadlines",
    "user": "intake.commands.user:user",
    "import": "intake.commands.import_mail:import_mail",
    "report": "intake.commands.report:report",
    "export-training": "intake.commands.export_training:export_training",
    "db": "intake.commands.db:db",
    "slack": "intake.commands.slack:slack",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="intake")
def main() -> None:
    """Intake: complaint and service-request triage under the Complaint Handling Code 2024."""
    # Nothing may fetch weights or data at run time: the machines have no internet.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


if __name__ == "__main__":
    main()
