"""Load a model folder once; turn texts into calibrated predictions in length-bucketed batches."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import BertConfig

from classifier.definition import draft_definition, phrase_issue
from classifier.labels import COMPLAINT, SERVICE_REQUEST, LabelSpace
from classifier.network import (
    Features,
    IntakeNet,
    base_model_path,
    collate,
    featurize,
    load_tokenizer,
    quantize,
)
from classifier.prediction import Definition, Prediction
from classifier.rules import decide
from classifier.smoothing import load_factors
from classifier.text import Sentence, prepare, split_sentences

META_FILE = "intake_model.json"
WEIGHTS_FILE = "model.safetensors"
BUNDLED_DIR = Path(__file__).parent / "bundled"
# Small batches of similar length measured fastest on 2 cores (dev split), and int8
# activations are quantised per batch, so smaller batches also move scores less.
DEFAULT_BATCH_SIZE = 16
# Tokens per batch: long messages go in smaller batches so memory stays flat.
TOKEN_BUDGET = 16 * 128


def bundled_model_dir() -> Path:
    """The model folder shipped inside the package."""
    return BUNDLED_DIR


def default_threads() -> int:
    """Intra-op threads: every core up to 4, but one when the machine is already busy.

    On a loaded machine a multi-threaded op waits for its slowest, descheduled thread; on
    2 shared cores one thread measured 2-5x faster than two.
    """
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0] >= cores
    except OSError:
        busy = False
    return 1 if busy else max(1, min(cores, 4))


@dataclass
class RawOutput:
    """Probabilities for one message, before rules and phrasing."""

    label_probs: np.ndarray
    stage2: float | None
    hazards: np.ndarray | None
    vulnerability: float | None
    roles: np.ndarray | None  # [n_sentences, 3]


class Classifier:
    """The fine-tuned multi-task model behind the TextClassifier protocol."""

    def __init__(
        self,
        net: IntakeNet | torch.nn.Module,
        meta: dict[str, Any],
        model_dir: Path,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        length_bucketing: bool = True,
    ) -> None:
        self._net = net
        self.meta = meta
        self.model_dir = model_dir
        self.space = LabelSpace.from_json(meta["label_space"])
        self.max_length = int(meta.get("max_length", 256))
        self.temperature = float(meta.get("temperature", 1.0))
        self.thresholds: dict[str, Any] = {
            "stage": 0.5, "hazards": 0.5, "vulnerability": 0.5, "roles": 0.5,
            **meta.get("thresholds", {}),
        }  # fmt: skip
        self.hazard_thresholds: dict[str, float] = dict(self.thresholds.get("hazards_each", {}))
        self.batch_size = batch_size
        self.length_bucketing = length_bucketing
        self._tokenizer = load_tokenizer(base_model_path())
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model_dir: Path | None = None,
        *,
        quantized: bool = True,
        num_threads: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        length_bucketing: bool = True,
    ) -> Classifier:
        """Load a model folder (default: the bundled model) on top of the packaged base weights."""
        model_dir = Path(model_dir) if model_dir is not None else bundled_model_dir()
        meta_path = model_dir / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(
                f"{model_dir} is not a model folder (no {META_FILE}); train one with `intake train`"
            )
        torch.set_num_threads(num_threads or default_threads())
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        net = load_network(model_dir, meta)
        net.eval()
        model: torch.nn.Module = (
            quantize(net, smoothing=load_factors(model_dir)) if quantized else net
        )
        return cls(model, meta, model_dir, batch_size=batch_size, length_bucketing=length_bucketing)

    @property
    def version(self) -> str:
        """A name for this exact model: its folder's recorded version."""
        return str(self.meta.get("version", "unknown"))

    @property
    def tokenizer(self) -> Tokenizer:
        """The base model's fast tokenizer."""
        return self._tokenizer

    @property
    def labels(self) -> list[str]:
        """The label values this model predicts."""
        return list(self.space.labels)

    def predict(
        self, texts: Sequence[str], channels: Sequence[str | None] | None = None
    ) -> list[Prediction]:
        """One prediction per text, in order; empty or odd input still gets a prediction."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a sequence of texts, not one string")
        channel_list = list(channels) if channels is not None else [None] * len(texts)
        if len(channel_list) != len(texts):
            raise ValueError("channels must be as long as texts")
        prepared = [prepare(t if isinstance(t, str) else str(t)) for t in texts]
        sentences = [split_sentences(p) for p in prepared]
        raw = self.predict_raw(prepared, sentences)
        return [
            self._prediction(text, sents, out, channel)
            for text, sents, out, channel in zip(
                prepared, sentences, raw, channel_list, strict=True
            )
        ]

    def predict_raw(
        self, prepared: Sequence[str], sentences: Sequence[list[Sentence]]
    ) -> list[RawOutput]:
        """Calibrated probabilities for prepared texts (see classifier.text.prepare)."""
        features = featurize(self._tokenizer, prepared, sentences, self.max_length)
        order = list(range(len(features)))
        if self.length_bucketing:
            order.sort(key=lambda i: len(features[i].input_ids))
        results: list[RawOutput | None] = [None] * len(features)
        for chunk in self._batches(order, features):
            outs = self._forward([features[i] for i in chunk])
            for i, out in zip(chunk, outs, strict=True):
                results[i] = out
        return [r for r in results if r is not None]

    def _batches(self, order: list[int], features: Sequence[Features]) -> list[list[int]]:
        if not self.length_bucketing:
            return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = len(features[i].input_ids)
            if current and (
                len(current) >= self.batch_size or (len(current) + 1) * width > TOKEN_BUDGET
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def _forward(self, features: list[Features]) -> list[RawOutput]:
        batch = collate(features)
        with self._lock, torch.inference_mode():
            logits = self._net(batch)
        label_probs = torch.softmax(logits["label"].float() / self.temperature, dim=-1).numpy()
        stage = torch.sigmoid(logits["stage"]).squeeze(-1).numpy() if "stage" in logits else None
        hazards = torch.sigmoid(logits["hazards"]).numpy() if "hazards" in logits else None
        vuln = (
            torch.sigmoid(logits["vulnerability"]).squeeze(-1).numpy()
            if "vulnerability" in logits
            else None
        )
        roles_all = torch.softmax(logits["roles"], dim=-1).numpy() if "roles" in logits else None
        outs: list[RawOutput] = []
        for row, f in enumerate(features):
            roles = None
            if roles_all is not None:
                # Sentences cut out of a long message's middle count as 'other'.
                roles = np.tile(np.array([1.0, 0.0, 0.0]), (len(f.sentences), 1))
                for g, (r, s) in enumerate(batch.sentence_owner):
                    if r == row:
                        roles[s] = roles_all[g]
            outs.append(
                RawOutput(
                    label_probs=label_probs[row],
                    stage2=float(stage[row]) if stage is not None else None,
                    hazards=hazards[row] if hazards is not None else None,
                    vulnerability=float(vuln[row]) if vuln is not None else None,
                    roles=roles,
                )
            )
        return outs

    def _prediction(
        self, text: str, sentences: list[Sentence], out: RawOutput, channel: str | None
    ) -> Prediction:
        labels = self.space.labels
        scores = {
            label: round(float(p), 4) for label, p in zip(labels, out.label_probs, strict=True)
        }
        label = labels[int(np.argmax(out.label_probs))]
        is_complaint = label == COMPLAINT
        stage: int | None = None
        if is_complaint:
            stage = 2 if (out.stage2 or 0.0) >= self.thresholds["stage"] else 1
        hazards = (
            [
                h
                for h, p in zip(self.space.hazards, out.hazards, strict=True)
                if p >= self.hazard_thresholds.get(h, self.thresholds["hazards"])
            ]
            if out.hazards is not None
            else []
        )
        vulnerable = (out.vulnerability or 0.0) >= self.thresholds["vulnerability"]
        definition: Definition | None = None
        evidence: list[str] = []
        if is_complaint:
            definition = self._definition(sentences, out.roles, channel)
            evidence = list(definition.issue_evidence)
        elif label == SERVICE_REQUEST and out.roles is not None and sentences:
            wanted = out.roles[:, 1] + out.roles[:, 2]
            evidence = [sentences[int(np.argmax(wanted))].text]
        decision = decide(label, scores[label], stage, text, evidence, channel)
        return Prediction(
            label=label,
            scores=scores,
            stage=stage,
            hazards=hazards,
            vulnerability=vulnerable,
            definition=definition,
            provision=decision.provision,
            reasons=decision.reasons,
            evidence=evidence,
            model_version=self.version,
        )

    def _definition(
        self, sentences: list[Sentence], roles: np.ndarray | None, channel: str | None
    ) -> Definition:
        if roles is not None and sentences:
            return draft_definition(
                sentences, roles.tolist(), channel, threshold=self.thresholds["roles"]
            )
        first = next((s.text for s in sentences if not s.text.lower().startswith("subject:")), "")
        issue = phrase_issue(first, channel) if first else ""
        return Definition(
            issues=[issue] if issue else [],
            outcomes=[],
            issue_evidence=[first] if issue else [],
            clarifications=["What is the resident dissatisfied with? (Code 5.6)",
                            "What outcome is the resident seeking? (Code 5.6)"],
        )  # fmt: skip


def load_network(model_dir: Path, meta: dict[str, Any]) -> IntakeNet:
    """Rebuild the network: base weights from the package, then the folder's fine-tuned tensors."""
    base = base_model_path()
    space = LabelSpace.from_json(meta["label_space"])
    config = BertConfig.from_pretrained(str(base))
    net = IntakeNet(config, space)
    base_state = load_file(str(base / "model.safetensors"))
    net.encoder.load_state_dict(
        {
            k: v
            for k, v in base_state.items()
            if not k.startswith("pooler.") and "position_ids" not in k
        }
    )
    tuned = load_file(str(model_dir / WEIGHTS_FILE))
    missing, unexpected = net.load_state_dict(
        {k: v.float() for k, v in tuned.items()}, strict=False
    )
    if unexpected:
        raise ValueError(f"{model_dir}: unexpected tensors {unexpected[:5]}")
    from_base = tuple(meta.get("from_base", ["encoder.embeddings."]))
    not_loaded = [k for k in missing if not k.startswith(from_base)]
    if not_loaded:
        raise ValueError(f"{model_dir}: missing tensors {not_loaded[:5]}")
    return net
