"""How far each int8 quantisation scheme moves the model from fp32, on train + dev (never test).

Fidelity to fp32 needs no gold labels, so every train and dev message can measure it:
a scheme is better when fewer messages change label and probabilities move less. Dev
macro-F1 and speed are printed beside it. Every scheme runs in the same process on the same
length-bucketed batches.

Run: .venv/bin/python bench/bench_quantisation.py [--model DIR] [--threads N]
"""

# ruff: noqa: E501  (a report script: long print lines read better whole)
from __future__ import annotations

import argparse
import copy
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch
from torch import nn

from classifier.data import Example, data_files, read_examples
from classifier.evaluate import label_metrics
from classifier.model import Classifier
from classifier.network import IntakeNet, quantize
from classifier.smoothing import apply_smoothing, load_factors
from classifier.text import prepare, split_sentences

DATA = Path(__file__).resolve().parents[1] / "training_data"


def ffn_output(name: str) -> bool:
    """The feed-forward block's down projection (its input is the wide GELU activation)."""
    return name.endswith("output.dense") and "attention" not in name


Scheme = tuple[Callable[[str], bool], object, bool]


def schemes() -> dict[str, Scheme | None]:
    """Scheme name -> (which linear layers to quantise, qconfig, smoothed first); None is fp32."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig
    return {
        "fp32": None,
        "all linear, per-tensor weights": (lambda n: True, default_dynamic_qconfig, False),
        "all linear, per-channel weights": (lambda n: True, per_channel_dynamic_qconfig, False),
        "FFN output kept fp32, per-tensor": (
            lambda n: not ffn_output(n),
            default_dynamic_qconfig,
            False,
        ),
        "FFN output kept fp32, per-channel": (
            lambda n: not ffn_output(n),
            per_channel_dynamic_qconfig,
            False,
        ),
        "per-channel, smoothed (product)": (lambda n: True, per_channel_dynamic_qconfig, True),
    }


def quantised(
    net: IntakeNet,
    which: Callable[[str], bool],
    qconfig: object,
    smoothed: bool,
    factors: dict[str, torch.Tensor] | None,
) -> nn.Module:
    """A copy of the network with the chosen encoder layers quantised as the product does."""
    copied = copy.deepcopy(net)
    if smoothed:
        if not factors:
            raise SystemExit("this model folder has no smoothing factors; retrain it")
        apply_smoothing(copied.encoder, factors)
    spec = {
        n: qconfig
        for n, m in copied.encoder.named_modules()
        if isinstance(m, nn.Linear) and which(n.removesuffix(".linear"))
    }
    return quantize(copied, spec)


def label_probs(clf: Classifier, examples: list[Example]) -> tuple[np.ndarray, float]:
    """Calibrated label probabilities for the examples, and the seconds it took."""
    prepared = [prepare(e.text) for e in examples]
    sentences = [split_sentences(p) for p in prepared]
    start = time.perf_counter()
    raw = clf.predict_raw(prepared, sentences)
    return np.stack([r.label_probs for r in raw]), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: bundled)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    splits = {s: read_examples(data_files(DATA / s)) for s in ("train", "dev")}
    clf = Classifier.load(args.model, quantized=False, num_threads=args.threads)
    fp32 = clf._net
    assert isinstance(fp32, IntakeNet)
    factors = load_factors(clf.model_dir)
    reference = {s: label_probs(clf, ex)[0] for s, ex in splits.items()}
    labels = clf.space.labels
    total = sum(len(ex) for ex in splits.values())
    print(f"# int8 schemes vs fp32 on train+dev ({total} messages), {args.threads} threads")
    print(
        f"{'scheme':36s} {'labels changed':>15s} {'mean max|dp|':>13s} {'dev F1':>7s} {'dev msg/s':>10s}"
    )
    for name, scheme in schemes().items():
        if scheme is not None and scheme[2] and factors is None:
            print(f"{name:36s} (no smoothing factors in this model folder)")
            continue
        clf._net = fp32 if scheme is None else quantised(fp32, *scheme, factors)
        probs = {s: label_probs(clf, ex) for s, ex in splits.items()}
        changed = sum(int((probs[s][0].argmax(1) != reference[s].argmax(1)).sum()) for s in splits)
        moved = float(
            np.mean(np.concatenate([np.abs(probs[s][0] - reference[s]).max(1) for s in splits]))
        )
        dev_f1 = label_metrics(
            [e.label for e in splits["dev"]],
            [labels[i] for i in probs["dev"][0].argmax(1)],
            labels,
        )["macro_f1"]
        speed = len(splits["dev"]) / probs["dev"][1]
        print(
            f"{name:36s} {changed:>9d}/{total} {moved:13.4f} {dev_f1:7.4f} {speed:10.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
