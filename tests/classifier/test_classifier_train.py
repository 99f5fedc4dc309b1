"""Training: a few steps learn a tiny fixture; another domain's labels train only the label head."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.data import Example
from classifier.model import Classifier
from classifier.smoothing import SmoothedLinear, load_factors
from classifier.train import TrainingArguments, fit_temperature, split_by_writer, train
from intake.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.slow
def test_smoke_training_learns_the_fixture(tmp_path: Path) -> None:
    # Held out = a copy of the training fixture: the smoke test checks it learns, not generalises.
    (tmp_path / "dev.jsonl").write_text((FIXTURES / "tiny.jsonl").read_text())
    # Eight steps on one thread (a busy machine slows two threads far more than one), with
    # the surface variation, the `other` weight, layer-wise rates and the issue contrast on.
    args = TrainingArguments(
        data=FIXTURES / "tiny.jsonl", dev=tmp_path / "dev.jsonl", out=tmp_path / "m",
        epochs=2, batch_size=8, max_length=48, learning_rate=3e-4, head_learning_rate=1e-2,
        augment=0.3, other_weight=1.5, layer_decay=0.9, issue_contrast=1.0, num_threads=1,
    )  # fmt: skip
    metrics = train(args, log=lambda _: None)
    assert [h["epoch"] for h in metrics["history"]] == [1, 2]
    assert metrics["dev"]["macro_f1"] >= 0.8
    meta = json.loads((tmp_path / "m" / "intake_model.json").read_text())
    assert meta["label_space"]["has_roles"] and meta["label_space"]["has_stage"]
    assert len(meta["data_hash"]) == 64 and meta["seed"] == 13
    assert (tmp_path / "m" / "README.md").read_text().startswith("# Intake classifier")
    # Int8 smoothing factors for all 36 encoder linears, measured on the training messages.
    assert meta["smoothing"]["calibration_messages"] > 0
    assert len(load_factors(tmp_path / "m") or {}) == 36
    clf = Classifier.load(tmp_path / "m")
    assert sum(isinstance(m, SmoothedLinear) for m in clf._net.modules()) == 36
    [pred] = clf.predict(["I reported the leak twice and nobody came. I want it fixed."])
    assert set(pred.scores) == {"complaint", "service_request", "other"}


@pytest.mark.slow
def test_other_domain_labels(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["train", "--data", str(FIXTURES / "other_domain.jsonl"), "--out", str(tmp_path / "m"),
         "--epochs", "1", "--max-steps", "2", "--max-length", "32", "--threads", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "held-out evaluation" in result.stdout
    meta = json.loads((tmp_path / "m" / "intake_model.json").read_text())
    assert meta["label_space"]["labels"] == ["billing", "outage"]
    assert not meta["label_space"]["hazards"] and not meta["label_space"]["has_roles"]
    clf = Classifier.load(tmp_path / "m")
    [pred] = clf.predict(["The power is off again"])
    assert pred.label in {"billing", "outage"} and pred.definition is None and pred.stage is None


def test_temperature_scaling_softens_overconfidence() -> None:
    import numpy as np

    logits = np.array([[8.0, 0.0], [8.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    gold = np.array([0, 1, 0, 1])  # one confident mistake
    assert fit_temperature(logits, gold) > 1.5


def test_issue_contrast_penalises_issue_sentences_of_non_complaints_only() -> None:
    import torch

    from classifier.data import infer_label_space, read_examples
    from classifier.labels import COMPLAINT, ROLES
    from classifier.network import base_model_path, build_network, collate, load_tokenizer
    from classifier.train import _loss, encode

    examples = read_examples([FIXTURES / "tiny.jsonl"])
    space = infer_label_space(examples)
    torch.manual_seed(0)
    net = build_network(space).eval()  # no dropout: the two losses see the same logits
    enc = encode(examples, space, load_tokenizer(base_model_path()), 64)
    calm = [i for i, e in enumerate(examples) if e.label != COMPLAINT][:4]
    complaints = [i for i, e in enumerate(examples) if e.label == COMPLAINT][:4]
    aux = 0.5
    with torch.no_grad():
        for idx in (calm, complaints, calm + complaints):
            plain = _loss(net, enc, idx, space, aux)
            contrasted = _loss(net, enc, idx, space, aux, issue_contrast=2.0)
            batch = collate([enc.features[i] for i in idx])
            rows = [g for g, (row, _) in enumerate(batch.sentence_owner) if idx[row] in calm]
            p_issue = net(batch)["roles"].softmax(-1)[rows, ROLES.index("issue")]
            expected = -aux * 2.0 * torch.log1p(-p_issue).mean() if rows else torch.tensor(0.0)
            assert torch.isclose(contrasted - plain, expected, atol=1e-5), idx
    assert expected > 0  # the last batch held non-complaints, so the penalty was real


def test_hold_out_writers_splits_by_the_writer_field() -> None:
    examples = [
        Example(text=f"message {i}", label="other", id=str(i), extra={"writer": w})
        for i, w in enumerate("AABBC")
    ]
    train_part, held = split_by_writer(examples, ["B", "C"], log=lambda _: None)
    assert [e.id for e in train_part] == ["0", "1"]
    assert [e.id for e in held] == ["2", "3", "4"]
    with pytest.raises(ValueError, match="the data's writers are: A, B, C"):
        split_by_writer(examples, ["Z"], log=lambda _: None)
