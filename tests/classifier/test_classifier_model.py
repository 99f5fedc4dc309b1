"""The bundled model: contract-shaped predictions, odd input never crashes, `intake classify`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

from classifier.model import Classifier, bundled_model_dir
from classifier.prediction import HAZARDS, LABELS, Prediction, TextClassifier
from intake.cli import main

CONTRACT_KEYS = {"id", "label", "scores", "stage", "hazards", "vulnerability", "definition"}


def check_contract(line: dict) -> None:
    assert line.keys() >= CONTRACT_KEYS
    assert line["label"] in LABELS
    assert set(line["scores"]) == set(LABELS)
    assert abs(sum(line["scores"].values()) - 1.0) < 1e-3
    assert max(line["scores"], key=line["scores"].get) == line["label"]
    assert set(line["hazards"]) <= set(HAZARDS)
    assert isinstance(line["vulnerability"], bool)
    if line["label"] == "complaint":
        assert line["stage"] in (1, 2)
        assert set(line["definition"]) == {"issues", "outcomes"}
        assert line["definition"]["issues"], "a complaint needs at least one issue"
        assert all(
            isinstance(x, str)
            for x in line["definition"]["issues"] + line["definition"]["outcomes"]
        )
    else:
        assert line["stage"] is None and line["definition"] is None


def test_bundled_model_is_small_and_records_its_training() -> None:
    folder = bundled_model_dir()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert size < 30 * 1024 * 1024
    meta = json.loads((folder / "intake_model.json").read_text())
    for key in ("data_hash", "seed", "label_space", "metrics", "temperature", "version"):
        assert key in meta
    assert meta["label_space"]["id2label"] == {
        "0": "complaint",
        "1": "service_request",
        "2": "other",
    }


def test_is_a_text_classifier(classifier: Classifier) -> None:
    tc: TextClassifier = classifier
    assert tc.version


def test_clear_cases(classifier: Classifier) -> None:
    preds = classifier.predict(
        [
            "Subject: Leak\n\nI reported the leak in my kitchen three times since March and nobody "
            "has come. I want it fixed and I want compensation for my ruined flooring.",
            "hi my kitchen tap is dripping can someone come and fix it please",
            "Thank you for sorting out the fence so quickly, the team were lovely.",
        ],
        ["email", "chat", "email"],
    )
    assert [p.label for p in preds] == ["complaint", "service_request", "other"]
    complaint = preds[0]
    assert complaint.provision in {"1.2", "1.3", "1.5"}
    assert complaint.evidence and complaint.reasons
    assert complaint.definition is not None and complaint.definition.issues
    assert preds[1].provision == "1.4"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "Moja łazienka przecieka od tygodnia, proszę o pomoc.",
        "我的厨房漏水了，请派人来修理。",
        "\x00\x01\x02",
        "🙂" * 50,
        "a",
    ],
)
def test_odd_input_gets_a_prediction(classifier: Classifier, text: str) -> None:
    [pred] = classifier.predict([text])
    assert isinstance(pred, Prediction)
    check_contract(pred.to_contract("x"))


def test_one_megabyte_input(classifier: Classifier) -> None:
    text = "I reported the damp in March and nobody came. " + ("blah " * 210_000) + "Please fix it."
    assert len(text) > 1_000_000
    [pred] = classifier.predict([text])
    check_contract(pred.to_contract("big"))


def test_batch_order_is_kept(classifier: Classifier) -> None:
    texts = ["short one", "x " * 300, "the lift is broken again please send someone", ""]
    singles = [classifier.predict([t])[0] for t in texts]
    for a, b in zip(classifier.predict(texts), singles, strict=True):
        assert a.label == b.label
        # int8 activations are quantised per batch, so padding moves scores a little.
        assert a.scores == pytest.approx(b.scores, abs=0.08)
    fp32 = Classifier.load(quantized=False)
    singles = [fp32.predict([t])[0] for t in texts]
    for a, b in zip(fp32.predict(texts), singles, strict=True):
        assert a.scores == pytest.approx(b.scores, abs=1e-3)


def test_int8_weights_have_one_scale_per_output_channel(classifier: Classifier) -> None:
    # Per-channel scales halved the labels that move from fp32 (bench/bench_quantisation.py).
    quantised = [m for m in classifier._net.modules() if isinstance(m, DynamicLinear)]
    assert len(quantised) == 36  # six layers x (query, key, value, attention out, FFN in, FFN out)
    assert {m.weight().qscheme() for m in quantised} == {torch.per_channel_affine}


def test_thread_safe(classifier: Classifier) -> None:
    texts = ["my boiler is broken", "nobody came to fix my boiler, I am fed up with you"]
    expected = [p.label for p in classifier.predict(texts)]
    results: list[list[str]] = []

    def work() -> None:
        results.append([p.label for p in classifier.predict(texts)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_classify_command(tmp_path: Path) -> None:
    lines = [
        {
            "id": "1",
            "text": "I reported the mould in my son's bedroom in January. Nobody has been.",
            "channel": "email",
        },
        {"id": "2", "text": "there's a gas smell in the hallway", "channel": "chat"},
        {"id": "3", "text": ""},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = CliRunner().invoke(main, ["classify", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1", "2", "3"]
    for o in out:
        check_contract(o)
    stdin = CliRunner().invoke(
        main, ["classify", "-", "--explain"], input=json.dumps(lines[0]) + "\n"
    )
    assert stdin.exit_code == 0
    [line] = [json.loads(x) for x in stdin.stdout.splitlines()]
    assert line["reasons"] and "provision" in line


def test_classify_reports_bad_lines_and_carries_on(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "hello"}\nnot json\n{"id": "c"}\n')
    result = CliRunner().invoke(main, ["classify", str(src)])
    assert result.exit_code == 2
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o.get("error") is None for o in out] == [True, False, False]
    assert "not JSON" in result.stderr


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a model folder"):
        Classifier.load(tmp_path)
