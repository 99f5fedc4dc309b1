"""Classifier figures on the test split: quality vs TF-IDF, speed vs fp32, definition coverage.

Run: .venv/bin/python bench/bench_classifier.py [--split test] [--model DIR] [--json FILE]
"""

# ruff: noqa: E501  (a report script: long print lines read better whole)
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from classifier.data import Example, data_files, read_examples
from classifier.evaluate import evaluate_predictions, label_metrics
from classifier.model import Classifier
from classifier.text import prepare

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training_data"
LABELS = ["complaint", "service_request", "other"]


def baseline(
    train: list[Example], dev: list[Example], test: list[Example]
) -> tuple[list[str], float]:
    """TF-IDF (word 1-2-grams) + logistic regression; C chosen on the dev split."""
    best: tuple[float, float] = (-1.0, 1.0)
    for c in (1.0, 3.0, 10.0, 30.0, 100.0):
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            LogisticRegression(C=c, max_iter=2000, class_weight="balanced"),
        )
        model.fit([prepare(e.text) for e in train], [e.label for e in train])
        f1 = label_metrics(
            [e.label for e in dev], list(model.predict([prepare(e.text) for e in dev])), LABELS
        )["macro_f1"]
        if f1 > best[0]:
            best = (f1, c)
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(C=best[1], max_iter=2000, class_weight="balanced"),
    )
    model.fit([prepare(e.text) for e in train], [e.label for e in train])
    return list(model.predict([prepare(e.text) for e in test])), best[1]


def throughput(
    clf: Classifier, texts: list[str], channels: list[str | None], repeats: int
) -> tuple[float, list[Any]]:
    """Messages per second over `repeats` passes (after one warm-up batch), and the last predictions."""
    clf.predict(texts[:16], channels[:16])
    start = time.perf_counter()
    preds: list[Any] = []
    for _ in range(repeats):
        preds = clf.predict(texts, channels)
    return repeats * len(texts) / (time.perf_counter() - start), preds


def latency(clf: Classifier, texts: list[str], n: int) -> tuple[float, float]:
    """Median and 95th percentile milliseconds for one message at a time."""
    times = []
    for t in texts[:n]:
        start = time.perf_counter()
        clf.predict([t])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def cli_run(examples: list[Example], model: Path | None) -> dict[str, float]:
    """`intake classify` as a user runs it: wall time including start-up, and peak memory."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for e in examples:
            fh.write(json.dumps({"id": e.id, "text": e.text, "channel": e.channel}) + "\n")
        path = fh.name
    cmd = [str(Path(sys.executable).parent / "intake"), "classify", path]
    if model:
        cmd += ["--model", str(model)]
    # ru_maxrss of a child counts the parent's pages at fork, so read the child's own
    # high-water mark (VmHWM, reset by exec) from /proc while it runs.
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, text=True)
        peak_kb = 0
        while proc.poll() is None:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
                hwm = [line for line in status.splitlines() if line.startswith("VmHWM:")]
                if hwm:
                    peak_kb = max(peak_kb, int(hwm[0].split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
        assert proc.returncode == 0
        out.seek(0)
        lines = out.read().splitlines()
    os.unlink(path)
    assert len(lines) == len(examples)
    return {"wall_s": wall, "msgs_per_s": len(examples) / wall, "peak_rss_mb": peak_kb / 1024}


def by_group(examples: list[Example], preds: list[Any], key: str) -> dict[str, tuple[int, float]]:
    """Accuracy per value of a record field (channel, hard_case)."""
    groups: dict[str, list[bool]] = {}
    for e, p in zip(examples, preds, strict=True):
        value = getattr(e, key, None) if key == "channel" else e.extra.get(key)
        groups.setdefault(str(value), []).append(e.label == p.label)
    return {k: (len(v), sum(v) / len(v)) for k, v in sorted(groups.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="test", help="split folder under training_data to score")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: bundled)")
    parser.add_argument(
        "--repeats", type=int, default=2, help="passes over the split for throughput"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: auto)")
    args = parser.parse_args()

    train = read_examples(data_files(DATA / "train"))
    dev = read_examples(data_files(DATA / "dev"))
    test = read_examples(data_files(DATA / args.split))
    texts = [e.text for e in test]
    channels = [e.channel for e in test]
    gold = [e.label for e in test]
    print(
        f"# Classifier benchmark on training_data/{args.split}: {len(test)} messages {dict(Counter(gold))}"
    )
    print(
        f"  trained on training_data/train ({len(train)}), model selection on dev ({len(dev)}); cores: {os.cpu_count()}\n"
    )

    load = os.getloadavg()
    fast = Classifier.load(
        args.model, num_threads=args.threads
    )  # as `intake classify`: int8, bucketed
    plain = Classifier.load(
        args.model, quantized=False, length_bucketing=False, batch_size=32, num_threads=args.threads
    )
    import torch

    print(
        f"  torch threads {torch.get_num_threads()}; load average before the run {load[0]:.1f} (other work on the machine slows every figure)\n"
    )
    fast_mps, fast_preds = throughput(fast, texts, channels, args.repeats)
    plain_mps, plain_preds = throughput(plain, texts, channels, args.repeats)
    fast_eval = evaluate_predictions(test, fast_preds, fast.labels)
    plain_eval = evaluate_predictions(test, plain_preds, plain.labels)
    base_pred, base_c = baseline(train, dev, test)
    base_eval = label_metrics(gold, base_pred, LABELS)

    print("## Quality (labels)")
    print(f"  {'model':<44}{'macro-F1':>9}{'acc':>7}{'compl. R':>9}{'compl. P':>9}{'ECE':>7}")
    rows = [
        (f"TF-IDF + logistic regression (C={base_c:g})", base_eval, None),
        ("fine-tuned MiniLM, fp32 PyTorch", plain_eval, plain_eval["ece"]),
        ("fine-tuned MiniLM, int8 (intake classify)", fast_eval, fast_eval["ece"]),
    ]
    for name, ev, ece in rows:
        c = ev["per_label"]["complaint"]
        print(f"  {name:<44}{ev['macro_f1']:>9.3f}{ev['accuracy']:>7.3f}{c['recall']:>9.3f}{c['precision']:>9.3f}"
              f"{'' if ece is None else f'{ece:.3f}':>7}")  # fmt: skip
    print(
        f"  margin over baseline: {100 * (fast_eval['macro_f1'] - base_eval['macro_f1']):+.1f} points macro-F1"
    )
    print(
        f"  int8 vs fp32: {100 * (fast_eval['macro_f1'] - plain_eval['macro_f1']):+.2f} points macro-F1\n"
    )
    print("  per label (int8):  " + "; ".join(
        f"{k} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} (n={v['support']})"
        for k, v in fast_eval["per_label"].items()))  # fmt: skip
    print("  confusion (rows gold, columns predicted): " + json.dumps(fast_eval["confusion"]))
    print("  flags (int8): " + ", ".join(f"{k} {v:.3f}" for k, v in fast_eval["flags"].items()))
    print(
        "  accuracy by channel: "
        + ", ".join(
            f"{k} {a:.3f} (n={n})" for k, (n, a) in by_group(test, fast_preds, "channel").items()
        )
    )
    print("  accuracy by hard case:")
    for k, (n, a) in by_group(test, fast_preds, "hard_case").items():
        print(f"    {k:<40}{a:.3f} (n={n})")

    print("\n## Speed (2 cores)")
    print(f"  plain fp32 PyTorch, batches of 32 in input order: {plain_mps:8.1f} msgs/s")
    print(
        f"  int8 + length-bucketed batches (intake classify): {fast_mps:8.1f} msgs/s  ({fast_mps / plain_mps:.2f}x)"
    )
    med, p95 = latency(fast, texts, 200)
    pmed, pp95 = latency(plain, texts, 100)
    print(
        f"  single message latency, int8: median {med:.1f} ms, p95 {p95:.1f} ms (fp32: {pmed:.1f} / {pp95:.1f} ms)"
    )
    cli = cli_run(test, args.model)
    print(f"  `intake classify` end to end incl. start-up: {cli['wall_s']:.1f} s for {len(test)} messages "
          f"({cli['msgs_per_s']:.1f} msgs/s), peak memory {cli['peak_rss_mb']:.0f} MB")  # fmt: skip
    print(
        f"  this process peak memory (both models loaded): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )

    d = fast_eval.get("definitions", {})
    if d:
        print(f"\n## Definitions ({d['complaints']} annotated complaints in the split, int8 model)")
        print(
            "  covered by source sentence: a reference item counts when >= 60% of the content words of its"
        )
        print("  verbatim evidence appear in one sentence the draft was made from:")
        print(f"    issues {d['issues']['covered']}/{d['issues']['total']} = {d['issues']['share']:.1%}; "
              f"outcomes {d['outcomes']['covered']}/{d['outcomes']['total']} = {d['outcomes']['share']:.1%}")  # fmt: skip
        print(
            "  covered by phrase: >= 50% of the reference phrase's content words in one drafted phrase:"
        )
        print(
            f"    issues {d['issues_by_phrase']['share']:.1%}; outcomes {d['outcomes_by_phrase']['share']:.1%}"
        )
        ip, op = d["issues_precision"], d["outcomes_precision"]
        print(
            "  precision (drafted items whose source sentence holds a reference span, same test):"
        )
        print(
            f"    issues {ip['supported']}/{ip['drafted']} = {ip['share']:.1%}; outcomes {op['supported']}/{op['drafted']} = {op['share']:.1%}"
        )
        q = d["no_outcome_question_asked"]
        print(
            f"  no outcome stated in the reference: the draft asks the 5.6 question in {q['asked']}/{q['total']}"
        )
        print("  (a complaint the model missed counts as covering nothing)")

    figures = {
        "split": args.split, "n": len(test), "baseline": base_eval, "fp32": plain_eval, "int8": fast_eval,
        "speed": {"fp32_msgs_per_s": plain_mps, "int8_msgs_per_s": fast_mps, "speedup": fast_mps / plain_mps,
                  "latency_ms_median": med, "latency_ms_p95": p95, "cli": cli},
    }  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=float))
    return 0


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
