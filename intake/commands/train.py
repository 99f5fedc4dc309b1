"""`intake train`: fine-tune the classifier on labelled JSON lines and write a model folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


@click.command()
@click.option(
    "--data",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="A .jsonl file or a folder of them ({'text', 'label', ...} per line). Files under a "
    "'dev' folder are the held-out part; folders named 'test' are never read.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model folder to write (default: var/model).")  # fmt: skip
@click.option("--epochs", type=click.IntRange(1, 100), default=4, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--dev", type=click.Path(exists=True, path_type=Path), default=None,
              help="Held-out file or folder (default: 'dev' in --data, else 10%).")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(1, 256), default=16, show_default=True)
@click.option("--learning-rate", type=float, default=8e-5, show_default=True)
@click.option("--max-length", type=click.IntRange(16, 512), default=256, show_default=True)
@click.option(
    "--max-steps", type=click.IntRange(1), default=None, help="Stop after this many steps."
)
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Torch threads (default: the cores, or 1 on a busy machine).")  # fmt: skip
@click.option("--augment", type=click.FloatRange(0, 1), default=None,
              help="Share of messages shown each epoch with a surface change (lower case, no "
              "punctuation, typos, no greeting/sign-off/subject).")  # fmt: skip
@click.option("--other-weight", type=click.FloatRange(0.1, 10), default=None,
              help="Loss weight of the 'other' label.")  # fmt: skip
@click.option("--layer-decay", type=click.FloatRange(0.1, 1), default=None,
              help="Learning rate x this per encoder layer below the top.")  # fmt: skip
@click.option("--issue-contrast", type=click.FloatRange(0, 10), default=None,
              help="Weight of the loss that keeps the sentences of non-complaints out of the "
              "'issue' role.")  # fmt: skip
@click.option("--hold-out-writers", default=None, metavar="W1,W2",
              help="Hold out every example by these writers (the 'writer' field), train on the "
              "rest: for choices that must hold for writers the model has not seen.")  # fmt: skip
def train(
    data: Path,
    out: Path | None,
    epochs: int,
    seed: int,
    dev: Path | None,
    batch_size: int,
    learning_rate: float,
    max_length: int,
    max_steps: int | None,
    threads: int | None,
    augment: float | None,
    other_weight: float | None,
    layer_decay: float | None,
    issue_contrast: float | None,
    hold_out_writers: str | None,
) -> None:
    """Fine-tune on DATA; learns whatever labels it holds and the heads it annotates."""
    from classifier.train import TrainingArguments
    from classifier.train import train as run
    from intake.settings import load_settings

    out = out or load_settings().data_dir / "model"
    tuning = {
        k: v
        for k, v in (("augment", augment), ("other_weight", other_weight),
                     ("layer_decay", layer_decay), ("issue_contrast", issue_contrast))
        if v is not None
    }  # fmt: skip
    args = TrainingArguments(
        data=data, out=out, dev=dev, epochs=epochs, seed=seed, batch_size=batch_size,
        learning_rate=learning_rate, max_length=max_length, max_steps=max_steps,
        num_threads=threads,
    )  # fmt: skip
    for name, value in tuning.items():
        setattr(args, name, value)
    if hold_out_writers:
        args.hold_out_writers = [w.strip() for w in hold_out_writers.split(",") if w.strip()]
    try:
        metrics = run(args, log=lambda msg: click.echo(msg, err=True))
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_evaluation(metrics)
    click.echo(f"model written to {out}; use it with --model {out}")


def _print_evaluation(metrics: dict[str, Any]) -> None:
    dev = metrics.get("dev")
    if not dev:
        click.echo("no held-out examples: nothing to evaluate")
        return
    click.echo(f"held-out evaluation ({dev['n']} messages, best epoch {metrics['best_epoch']}):")
    click.echo(f"  macro-F1 {dev['macro_f1']:.3f}  accuracy {dev['accuracy']:.3f}  "
               f"calibration error {dev['ece']:.3f}")  # fmt: skip
    click.echo(f"  {'label':<18}{'precision':>10}{'recall':>10}{'F1':>8}{'n':>6}")
    for label, v in dev["per_label"].items():
        click.echo(
            f"  {label:<18}{v['precision']:>10.3f}{v['recall']:>10.3f}"
            f"{v['f1']:>8.3f}{v['support']:>6}"
        )
    for name, value in dev.get("flags", {}).items():
        click.echo(f"  {name}: {value:.3f}")
    definitions = dev.get("definitions")
    if definitions:
        click.echo(
            f"  definitions: issues covered {definitions['issues']['share']:.1%}, "
            f"outcomes covered {definitions['outcomes']['share']:.1%} "
            f"(by source sentence, {definitions['complaints']} complaints)"
        )
