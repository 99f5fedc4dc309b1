"""Shared fixtures: the bundled classifier, loaded once per test session."""

from __future__ import annotations

import pytest

from classifier.model import Classifier


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.load()
