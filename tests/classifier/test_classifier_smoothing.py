"""Int8 smoothing: exact in fp32, and closer to fp32 under int8 when inputs have outlier channels."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from classifier.network import int8_linears
from classifier.smoothing import (
    SmoothedLinear,
    activation_ranges,
    apply_smoothing,
    load_factors,
    save_factors,
    smoothing_factors,
)


def _inputs(seed: int = 0) -> torch.Tensor:
    """Token states where two channels run about 60 times larger than the rest, as in MiniLM."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(8, 32, 64, generator=g)
    x[..., 3] *= 60
    x[..., 17] *= 40
    return x


def _stack() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 64))


def _smoothed(net: nn.Sequential, x: torch.Tensor) -> nn.Sequential:
    ranges = activation_ranges(net, lambda: net(x))
    apply_smoothing(net, smoothing_factors(net, ranges))
    return net


def test_smoothing_leaves_fp32_outputs_unchanged() -> None:
    x = _inputs()
    plain = _stack()
    smoothed = _smoothed(_stack(), x)
    assert sum(isinstance(m, SmoothedLinear) for m in smoothed.modules()) == 2
    torch.testing.assert_close(smoothed(x), plain(x), rtol=1e-4, atol=1e-4)


def test_smoothing_brings_int8_closer_to_fp32() -> None:
    calibration, unseen = _inputs(0), _inputs(1)
    reference = _stack()(unseen)
    plain = int8_linears(_stack())  # as the product quantises: per-row weight scales
    smoothed = int8_linears(_smoothed(_stack(), calibration))
    plain_error = (plain(unseen) - reference).abs().mean()
    smoothed_error = (smoothed(unseen) - reference).abs().mean()
    assert smoothed_error < plain_error / 2


def test_factors_round_trip_through_the_model_folder(tmp_path: Path) -> None:
    net = _stack()
    factors = smoothing_factors(net, activation_ranges(net, lambda: net(_inputs())))
    assert set(factors) == {"0", "2"} and all(bool((f > 0).all()) for f in factors.values())
    assert load_factors(tmp_path) is None  # a folder written before smoothing: plain int8
    save_factors(factors, tmp_path)
    loaded = load_factors(tmp_path)
    assert loaded is not None
    for name, value in factors.items():
        torch.testing.assert_close(loaded[name], value)
