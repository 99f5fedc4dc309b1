"""Fine-tune the multi-task model on labelled JSON lines; write a folder `--model` loads."""

from __future__ import annotations

import copy
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn
from tqdm.auto import tqdm

from classifier.augment import vary
from classifier.data import (
    Example,
    data_files,
    data_hash,
    evidence_spans,
    infer_label_space,
    read_examples,
    sentence_roles,
)
from classifier.evaluate import definition_coverage, evaluate_predictions
from classifier.labels import COMPLAINT, OTHER, ROLES, LabelSpace
from classifier.model import META_FILE, WEIGHTS_FILE, Classifier, default_threads
from classifier.network import (
    BASE_MODEL_NAME,
    Features,
    IntakeNet,
    build_network,
    collate,
    featurize,
)
from classifier.smoothing import (
    ALPHA,
    SMOOTHING_FILE,
    activation_ranges,
    save_factors,
    smoothing_factors,
)
from classifier.text import prepare, split_sentences

FROZEN_PREFIX = "encoder.embeddings."


@dataclass
class TrainingArguments:
    """Everything a training run depends on; saved in the model folder."""

    data: Path
    out: Path
    dev: Path | None = None
    epochs: int = 4
    seed: int = 13
    batch_size: int = 16
    learning_rate: float = 8e-5
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 256
    dev_fraction: float = 0.1
    max_steps: int | None = None  # stop early (smoke tests)
    aux_weight: float = 0.5  # weight of the stage, hazard, vulnerability and sentence-role losses
    label_smoothing: float = (
        0.05  # the writers disagree on borderline cases; temperature re-calibrates
    )
    # Share of training messages shown each epoch with a surface change (classifier.augment).
    augment: float = 0.0
    other_weight: float = 1.0  # loss weight of the `other` label (1: unweighted)
    layer_decay: float = 1.0  # learning rate x this per encoder layer below the top
    rdrop: float = 0.0  # weight of the R-Drop consistency loss on the label head (0: off)
    # Weight of the loss that keeps every sentence of a non-complaint out of the `issue`
    # role, so the sentence head learns what dissatisfaction looks like by contrast (0: off).
    issue_contrast: float = 0.0
    # Hold out every example by these writers (the `writer` field) and train on the rest of
    # the data, dev files included: model choices then meet writers the model has not seen.
    hold_out_writers: list[str] = field(default_factory=list)
    skip_dirs: list[str] = field(default_factory=lambda: ["test"])
    num_threads: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, paths as strings."""
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


@dataclass
class Encoded:
    """Examples with their features and training targets."""

    examples: list[Example]
    features: list[Features]
    roles: list[list[int] | None]


def set_seed(seed: int) -> None:
    """Seed every generator a run uses."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split_data(
    args: TrainingArguments, log: Callable[[str], None]
) -> tuple[list[Example], list[Example], list[Path]]:
    """Training and held-out examples. Files under a `dev` folder (or --dev) are held out;
    otherwise a stratified share is. Folders named `test` are never read."""
    files = data_files(args.data, skip_dirs=args.skip_dirs)
    if not files:
        raise ValueError(f"no .jsonl files in {args.data}")
    if args.hold_out_writers:
        return (*split_by_writer(read_examples(files), args.hold_out_writers, log), files)
    if args.dev is not None:
        dev_files = data_files(args.dev, skip_dirs=args.skip_dirs)
        train_files = [f for f in files if f not in set(dev_files)]
    elif args.data.is_dir():
        dev_files = [f for f in files if "dev" in f.relative_to(args.data).parent.parts]
        train_files = [f for f in files if f not in set(dev_files)]
    else:
        dev_files, train_files = [], files
    train = read_examples(train_files)
    dev = read_examples(dev_files)
    if not dev:
        rng = random.Random(args.seed)
        by_label: dict[str, list[Example]] = {}
        for e in train:
            by_label.setdefault(e.label, []).append(e)
        train, dev = [], []
        for group in by_label.values():
            rng.shuffle(group)
            k = max(1, round(len(group) * args.dev_fraction)) if len(group) > 1 else 0
            dev.extend(group[:k])
            train.extend(group[k:])
        log(f"held out {len(dev)} examples ({args.dev_fraction:.0%} per label) for evaluation")
    else:
        log(f"held out {len(dev)} examples from {len(dev_files)} dev file(s)")
    log(f"training on {len(train)} examples from {len(train_files)} file(s)")
    return train, dev, train_files + dev_files


def split_by_writer(
    examples: list[Example], writers: Sequence[str], log: Callable[[str], None]
) -> tuple[list[Example], list[Example]]:
    """Examples by other writers, and those by `writers` (held out)."""
    chosen = set(writers)
    held = [e for e in examples if e.extra.get("writer") in chosen]
    if not held:
        known = sorted({str(e.extra["writer"]) for e in examples if e.extra.get("writer")})
        raise ValueError(
            f"no examples by writer(s) {', '.join(sorted(chosen))}; "
            f"the data's writers are: {', '.join(known) or 'none recorded'}"
        )
    train = [e for e in examples if e.extra.get("writer") not in chosen]
    log(f"held out {len(held)} examples by writer(s) {', '.join(sorted(chosen))}")
    log(f"training on {len(train)} examples by the other writers")
    return train, held


def encode(
    examples: Sequence[Example],
    space: LabelSpace,
    tokenizer: Any,
    max_length: int,
    *,
    augment: float = 0.0,
    rng: random.Random | None = None,
) -> Encoded:
    """Prepare texts, split sentences, mark each sentence's role from the evidence, tokenise.

    With `augment` > 0, that share of the texts (picked with `rng`) gets a surface change
    (classifier.augment.vary); one whose evidence no longer lines up trains without roles."""
    texts, sentences, roles = [], [], []
    for e in examples:
        text, evidence = prepare(e.text), e.evidence
        usable = space.has_roles and e.label == COMPLAINT and bool(evidence)
        if augment > 0 and rng is not None and rng.random() < augment:
            found = len(evidence_spans(text, evidence)) if usable else 0
            text, evidence = vary(text, evidence, rng)
            if usable and len(evidence_spans(text, evidence)) < found:
                usable = False
        marked = sentence_roles(text, evidence)
        texts.append(text)
        sentences.append([s for s, _ in marked])
        roles.append([r for _, r in marked] if usable else None)
    return Encoded(list(examples), featurize(tokenizer, texts, sentences, max_length), roles)


def _batches(enc: Encoded, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding), in shuffled order."""
    order = sorted(
        range(len(enc.features)), key=lambda i: len(enc.features[i].input_ids) + rng.random() * 8
    )
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def hazard_pos_weight(examples: Sequence[Example], space: LabelSpace) -> torch.Tensor:
    """Up-weight the rare positive hazard flags (negatives/positives, capped at 10)."""
    annotated = [e for e in examples if e.hazards is not None]
    weights = []
    for h in space.hazards:
        pos = sum(1 for e in annotated if h in (e.hazards or []))
        weights.append(min(10.0, (len(annotated) - pos) / max(1, pos)))
    return torch.tensor(weights)


def _loss(
    net: IntakeNet,
    enc: Encoded,
    idx: list[int],
    space: LabelSpace,
    aux: float,
    pos_weight: torch.Tensor | None = None,
    smoothing: float = 0.0,
    class_weight: torch.Tensor | None = None,
    rdrop: float = 0.0,
    issue_contrast: float = 0.0,
) -> torch.Tensor:
    feats = [enc.features[i] for i in idx]
    exs = [enc.examples[i] for i in idx]
    batch = collate(feats)
    out = net(batch)
    label_ids = torch.tensor([space.label2id[e.label] for e in exs])
    loss = nn.functional.cross_entropy(
        out["label"], label_ids, weight=class_weight, label_smoothing=smoothing
    )
    if rdrop > 0:
        # R-Drop (Liang et al., 2021): a second pass with other dropout masks; both passes
        # learn the label and are pulled towards each other's distribution.
        second = net(batch)["label"]
        loss = (
            loss
            + nn.functional.cross_entropy(
                second, label_ids, weight=class_weight, label_smoothing=smoothing
            )
        ) / 2
        p, q = out["label"].log_softmax(-1), second.log_softmax(-1)
        kl = nn.functional.kl_div(p, q, log_target=True, reduction="batchmean")
        kl = kl + nn.functional.kl_div(q, p, log_target=True, reduction="batchmean")
        loss = loss + rdrop * kl / 2
    bce = nn.functional.binary_cross_entropy_with_logits
    if "stage" in out:
        rows = [k for k, e in enumerate(exs) if e.label == COMPLAINT and e.stage in (1, 2)]
        if rows:
            target = torch.tensor([float(exs[k].stage == 2) for k in rows])
            loss = loss + aux * bce(out["stage"][rows].squeeze(-1), target)
    if "hazards" in out:
        rows = [k for k, e in enumerate(exs) if e.hazards is not None]
        if rows:
            target = torch.tensor(
                [[float(h in (exs[k].hazards or [])) for h in space.hazards] for k in rows]
            )
            loss = loss + aux * bce(out["hazards"][rows], target, pos_weight=pos_weight)
    if "vulnerability" in out:
        rows = [k for k, e in enumerate(exs) if e.vulnerability is not None]
        if rows:
            target = torch.tensor([float(bool(exs[k].vulnerability)) for k in rows])
            loss = loss + aux * bce(out["vulnerability"][rows].squeeze(-1), target)
    if "roles" in out:
        picked, targets = [], []
        for g, (row, s) in enumerate(batch.sentence_owner):
            roles = enc.roles[idx[row]]
            if roles is not None:
                picked.append(g)
                targets.append(roles[s])
        if picked:
            loss = loss + aux * nn.functional.cross_entropy(
                out["roles"][picked], torch.tensor(targets)
            )
        if issue_contrast > 0 and space.knows_code_labels:
            # No sentence of a service request or an `other` message voices a complaint issue.
            calm = {k for k, e in enumerate(exs) if e.label != COMPLAINT}
            rows = [g for g, (row, _) in enumerate(batch.sentence_owner) if row in calm]
            if rows:
                p_issue = out["roles"][rows].softmax(-1)[:, ROLES.index("issue")]
                loss = (
                    loss - aux * issue_contrast * torch.log1p(-p_issue.clamp(max=1 - 1e-6)).mean()
                )
    return loss


def param_groups(net: IntakeNet, args: TrainingArguments) -> list[dict[str, Any]]:
    """AdamW groups: the heads at their own rate; encoder layer k of n at
    learning_rate x layer_decay ** (n - 1 - k) (layer-wise decay; 1 = one rate for all)."""
    n_layers = len(net.encoder.encoder.layer)
    by_rate: dict[float, list[nn.Parameter]] = {}
    heads: list[nn.Parameter] = []
    for name, p in net.named_parameters():
        if not p.requires_grad:
            continue
        if not name.startswith("encoder."):
            heads.append(p)
            continue
        depth = n_layers - 1
        if name.startswith("encoder.encoder.layer."):
            depth = n_layers - 1 - int(name.split(".")[3])
        rate = args.learning_rate * args.layer_decay**depth
        by_rate.setdefault(rate, []).append(p)
    groups: list[dict[str, Any]] = [
        {"params": ps, "lr": rate} for rate, ps in sorted(by_rate.items(), reverse=True)
    ]
    groups.append({"params": heads, "lr": args.head_learning_rate})
    return groups


def average_states(
    a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """The element-wise mean of two state dicts (integer buffers taken from `b`)."""
    return {k: (a[k] + b[k]) / 2 if b[k].is_floating_point() else b[k] for k in b}


# Below this many held-out examples of a hazard, its threshold stays at 0.5: with five gas
# examples a search picked 0.4, and "my boiler is broken" became a gas emergency.
MIN_HAZARD_EXAMPLES_TO_TUNE = 10


def tune_hazard_thresholds(clf: Classifier, enc: Encoded) -> dict[str, float]:
    """Per-hazard decision threshold maximising held-out F1 (0.5 when a hazard is rare there)."""
    texts = [prepare(e.text) for e in enc.examples]
    raw = clf.predict_raw(texts, [f.sentences for f in enc.features])
    out: dict[str, float] = {}
    for j, hazard in enumerate(clf.space.hazards):
        rows = [
            (float(r.hazards[j]), hazard in (e.hazards or []))
            for r, e in zip(raw, enc.examples, strict=True)
            if r.hazards is not None and e.hazards is not None
        ]
        if sum(g for _, g in rows) < MIN_HAZARD_EXAMPLES_TO_TUNE:
            out[hazard] = 0.5
            continue

        def f1(t: float, rows: list[tuple[float, bool]] = rows) -> float:
            tp = sum(1 for p, g in rows if g and p >= t)
            fp = sum(1 for p, g in rows if not g and p >= t)
            fn = sum(1 for p, g in rows if g and p < t)
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

        # Ties go to the threshold nearest 0.5.
        out[hazard] = max((0.3, 0.4, 0.5, 0.6, 0.7, 0.8), key=lambda t: (f1(t), -abs(t - 0.5)))
    return out


def tune_role_threshold(clf: Classifier, examples: Sequence[Example]) -> float:
    """The sentence-role threshold with the best balance (F1) of definition coverage and
    precision on the held-out complaints, so drafting more items is not rewarded for itself."""
    complaints = [e for e in examples if e.label == COMPLAINT and e.definition and e.evidence]
    if not complaints:
        return 0.5
    saved = clf.thresholds["roles"]
    scores: dict[float, float] = {}
    for t in (0.3, 0.4, 0.5, 0.6):
        clf.thresholds["roles"] = t
        preds = clf.predict([e.text for e in complaints], [e.channel for e in complaints])
        d = definition_coverage(complaints, preds)
        f1s = []
        for part in ("issues", "outcomes"):
            c, p = d[part]["share"], d[part + "_precision"]["share"]
            f1s.append(2 * c * p / (c + p) if c + p else 0.0)
        scores[t] = sum(f1s) / len(f1s)
    clf.thresholds["roles"] = saved
    return max(scores, key=lambda t: (scores[t], -abs(t - 0.5)))


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises held-out negative log-likelihood (Guo et al., 2017)."""
    if len(gold) == 0:
        return 1.0
    x = torch.tensor(logits, dtype=torch.float64)
    y = torch.tensor(gold)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(min(max(log_t.exp().item(), 0.05), 20.0))


def _label_logits(clf: Classifier, enc: Encoded) -> np.ndarray:
    """Raw label logits (temperature 1) for the encoded examples."""
    saved = clf.temperature
    clf.temperature = 1.0
    try:
        texts = [prepare(e.text) for e in enc.examples]
        sentences = [f.sentences for f in enc.features]
        raw = clf.predict_raw(texts, sentences)
    finally:
        clf.temperature = saved
    return np.log(np.stack([r.label_probs for r in raw]).clip(1e-12))


def _meta(
    args: TrainingArguments, space: LabelSpace, digest: str, temperature: float
) -> dict[str, Any]:
    return {
        "format": 1,
        "version": f"intake-minilm-{digest[:10]}-s{args.seed}",
        "base_model": BASE_MODEL_NAME,
        "from_base": [FROZEN_PREFIX],
        "label_space": space.to_json(),
        "max_length": args.max_length,
        "temperature": temperature,
        "thresholds": {"stage": 0.5, "hazards": 0.5, "vulnerability": 0.5, "roles": 0.5},
        "data_hash": digest,
        "seed": args.seed,
        "training_arguments": args.to_json(),
        "torch_version": torch.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save_model(net: IntakeNet, meta: dict[str, Any], metrics: dict[str, Any], out: Path) -> None:
    """Write fine-tuned tensors (fp16 encoder, fp32 heads; embeddings stay the base's), metadata,
    metrics and a model card."""
    out.mkdir(parents=True, exist_ok=True)
    state = {
        k: (v.half() if k.startswith("encoder.") else v.float()).contiguous()
        for k, v in net.state_dict().items()
        if not k.startswith(FROZEN_PREFIX)
    }
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "intake-1"})
    meta = {**meta, "metrics": metrics}
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(model_card(meta, metrics), encoding="utf-8")


def model_card(meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    """A short model card: what it is, what it learnt from, how well it did on held-out data."""
    space = meta["label_space"]
    dev = metrics.get("dev", {})
    per = dev.get("per_label", {})
    rows = "\n".join(
        f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
        for label, v in per.items()
    )
    args = meta["training_arguments"]
    heads = ["label (" + ", ".join(space["labels"]) + ")"]
    heads += ["stage"] if space["has_stage"] else []
    heads += ["hazards"] if space["hazards"] else []
    heads += ["vulnerability"] if space["has_vulnerability"] else []
    heads += ["sentence roles (issue / outcome / other)"] if space["has_roles"] else []
    ece_before = metrics.get("dev_ece_uncalibrated", 0)
    minutes = metrics.get("train_seconds", 0) / 60
    options = f" --threads {args['num_threads']}" if args.get("num_threads") else ""
    # The reproduce command must name every non-default choice, or it trains another model.
    for flag, key, default in (("--augment", "augment", 0), ("--other-weight", "other_weight", 1.0),
                               ("--layer-decay", "layer_decay", 1.0),
                               ("--issue-contrast", "issue_contrast", 0.0)):  # fmt: skip
        if args.get(key, default) != default:
            options += f" {flag} {args[key]}"
    if args.get("hold_out_writers"):
        options += " --hold-out-writers " + ",".join(args["hold_out_writers"])
    smoothing = meta.get("smoothing")
    smoothed = (
        f" after activation smoothing with the factors\nin `{SMOOTHING_FILE}` (alpha "
        f"{smoothing['alpha']}, measured on training messages)"
        if smoothing
        else ""
    )
    return f"""# Intake classifier `{meta["version"]}`

Fine-tuned from {meta["base_model"]}: a mean-pooled encoder with heads for
{"; ".join(heads)}. Word embeddings are the base model's (frozen); the encoder layers
and heads are stored here in `{WEIGHTS_FILE}` (encoder fp16). Inference applies dynamic
int8 quantisation (per-channel weight scales){smoothed}.

- Data hash (SHA-256 of the training and held-out files): `{meta["data_hash"]}`
- Seed {meta["seed"]}; epochs {args["epochs"]}; max length {meta["max_length"]} tokens
- Training choices (how each was made: training_data/README.md): label smoothing
  {args.get("label_smoothing", 0)}; surface variation on {args.get("augment", 0):.0%} of
  messages per epoch; `other` loss weight {args.get("other_weight", 1.0)}; layer-wise
  learning-rate decay {args.get("layer_decay", 1.0)}; issue-contrast loss weight
  {args.get("issue_contrast", 0.0)}; took {minutes:.0f} minutes on
  {args.get("num_threads") or "auto"} thread(s)
- Temperature (fitted on the held-out split): {meta["temperature"]:.3f}
- Reproduce: `intake train --data {args["data"]} --out DIR --epochs {args["epochs"]}
  --seed {meta["seed"]}{options}` (same weights bit for bit with the same thread count)

## Held-out evaluation ({dev.get("n", 0)} messages)

Macro-F1 {dev.get("macro_f1", 0):.3f}; accuracy {dev.get("accuracy", 0):.3f};
expected calibration error {dev.get("ece", 0):.3f} (before temperature scaling:
{ece_before:.3f}).

| label | precision | recall | F1 | support |
|---|---|---|---|---|
{rows}

Best epoch (chosen on the held-out split): {metrics.get("best_epoch")}.
"""


def train(args: TrainingArguments, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run training end to end and write the model folder; returns the metrics."""
    started = time.monotonic()
    set_seed(args.seed)
    torch.set_num_threads(args.num_threads or default_threads())
    train_ex, dev_ex, files = split_data(args, log)
    space = infer_label_space(train_ex)
    dev_ex = [e for e in dev_ex if e.label in space.label2id]
    log(
        f"labels {space.labels}; heads: label"
        + (", stage" if space.has_stage else "")
        + (f", hazards ({len(space.hazards)})" if space.hazards else "")
        + (", vulnerability" if space.has_vulnerability else "")
        + (", sentence roles" if space.has_roles else "")
    )
    digest = data_hash(files)
    net = build_network(space)
    for name, p in net.named_parameters():
        if name.startswith(FROZEN_PREFIX):
            p.requires_grad_(False)
    meta = _meta(args, space, digest, 1.0)
    clf = Classifier(net, meta, args.out, length_bucketing=True)
    tokenizer = clf.tokenizer
    train_enc = encode(train_ex, space, tokenizer, args.max_length)
    dev_enc = encode(dev_ex, space, tokenizer, args.max_length)

    optimizer = torch.optim.AdamW(param_groups(net, args), weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(train_enc.features) / args.batch_size)
    total = steps_per_epoch * args.epochs
    if args.max_steps is not None:
        total = min(total, args.max_steps)
    warmup = max(1, int(total * args.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
    )
    pos_weight = hazard_pos_weight(train_ex, space) if space.hazards else None
    class_weight = None
    if args.other_weight != 1.0 and OTHER in space.label2id:
        class_weight = torch.ones(len(space.labels))
        class_weight[space.label2id[OTHER]] = args.other_weight
    rng = random.Random(args.seed)
    augment_rng = random.Random(args.seed + 1)
    history: list[dict[str, Any]] = []
    best: tuple[float, str, dict[str, torch.Tensor]] | None = None
    previous: dict[str, torch.Tensor] | None = None
    step = 0
    for epoch in range(1, args.epochs + 1):
        net.train()
        epoch_enc = train_enc
        if args.augment > 0:
            epoch_enc = encode(
                train_ex, space, tokenizer, args.max_length, augment=args.augment, rng=augment_rng
            )
        batches = _batches(epoch_enc, args.batch_size, rng)
        running = 0.0
        bar = tqdm(batches, desc=f"epoch {epoch}/{args.epochs}", unit="batch", leave=False)
        for k, idx in enumerate(bar, 1):
            loss = _loss(
                net, epoch_enc, idx, space, args.aux_weight, pos_weight, args.label_smoothing,
                class_weight, args.rdrop, args.issue_contrast,
            )  # fmt: skip
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
            bar.set_postfix(loss=f"{running / k:.3f}")
            step += 1
            if step >= total:
                break
        bar.close()
        net.eval()
        dev_metrics = _evaluate(clf, dev_ex) if dev_ex else {}
        macro = float(dev_metrics.get("macro_f1", 0.0))
        history.append({"epoch": epoch, "train_loss": running / max(1, k), "dev_macro_f1": macro})
        log(f"epoch {epoch}: train loss {running / max(1, k):.4f}, held-out macro-F1 {macro:.4f}")
        state = copy.deepcopy(net.state_dict())
        if best is None or macro > best[0]:
            best = (macro, str(epoch), state)
        if previous is not None and dev_ex:
            # Averaging the last two epochs' weights often generalises a little better.
            net.load_state_dict(average_states(previous, state))
            averaged = float(_evaluate(clf, dev_ex).get("macro_f1", 0.0))
            log(f"  average of epochs {epoch - 1} and {epoch}: held-out macro-F1 {averaged:.4f}")
            history[-1]["dev_macro_f1_averaged_with_previous"] = averaged
            if averaged > best[0]:
                best = (averaged, f"{epoch - 1}+{epoch}", copy.deepcopy(net.state_dict()))
            net.load_state_dict(state)
        previous = state
        if step >= total:
            break
    assert best is not None
    net.load_state_dict(best[2])
    net.eval()
    metrics: dict[str, Any] = {"best_epoch": best[1], "history": history}
    if dev_ex:
        logits = _label_logits(clf, dev_enc)
        gold = np.array([space.label2id[e.label] for e in dev_ex])
        temperature = fit_temperature(logits, gold)
        metrics["dev_ece_uncalibrated"] = _evaluate(clf, dev_ex)["ece"]
        clf.temperature = temperature
        meta["temperature"] = temperature
        if space.hazards:
            per_hazard = tune_hazard_thresholds(clf, dev_enc)
            clf.hazard_thresholds = per_hazard
            meta["thresholds"]["hazards_each"] = per_hazard
        if space.has_roles and space.knows_code_labels:
            role_threshold = tune_role_threshold(clf, dev_ex)
            clf.thresholds["roles"] = role_threshold
            meta["thresholds"]["roles"] = role_threshold
        metrics["dev"] = _evaluate(clf, dev_ex)
        log(
            f"temperature {temperature:.3f}; held-out ECE "
            f"{metrics['dev_ece_uncalibrated']:.3f} -> {metrics['dev']['ece']:.3f}"
        )
    meta["smoothing"] = {"alpha": ALPHA, "calibration_messages": len(train_ex[:: _every(train_ex)])}
    metrics["train_examples"] = len(train_ex)
    metrics["dev_examples"] = len(dev_ex)
    metrics["train_seconds"] = round(time.monotonic() - started, 1)
    save_model(net, meta, metrics, args.out)
    write_smoothing(args.out, train_ex)
    log(f"wrote {args.out} in {metrics['train_seconds']:.0f} s")
    return metrics


# About this many training messages measure the activation ranges for int8 smoothing.
CALIBRATION_MESSAGES = 500


def _every(examples: Sequence[Example]) -> int:
    return max(1, len(examples) // CALIBRATION_MESSAGES)


def write_smoothing(model_dir: Path, examples: Sequence[Example]) -> None:
    """Measure int8 smoothing factors on the saved model as it loads (fp16-stored encoder, in
    fp32) over an even sample of the training messages, and store them in the folder: every
    k-th message, so the same data and weights give the same factors."""
    clf = Classifier.load(model_dir, quantized=False, num_threads=torch.get_num_threads())
    net = clf._net
    assert isinstance(net, IntakeNet)
    sample = list(examples)[:: _every(examples)]
    texts = [prepare(e.text) for e in sample]
    sentences = [split_sentences(t) for t in texts]
    ranges = activation_ranges(net.encoder, lambda: clf.predict_raw(texts, sentences))
    save_factors(smoothing_factors(net.encoder, ranges), model_dir)


def _evaluate(clf: Classifier, examples: Sequence[Example]) -> dict[str, Any]:
    preds = clf.predict([e.text for e in examples], [e.channel for e in examples])
    return evaluate_predictions(examples, preds, clf.labels)
