"""Services built once at start and passed down: settings, database, calendar, letters, clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from classifier.prediction import TextClassifier
from intake.calendar import WorkingCalendar, calendar_for, utcnow
from intake.letters import LetterWriter
from intake.settings import Settings
from store.db import make_engine


@dataclass
class AppContext:
    """Everything a request handler, worker or command needs; no module-level globals."""

    settings: Settings
    engine: Engine
    calendar: WorkingCalendar
    letters: LetterWriter
    clock: Callable[[], datetime] = utcnow
    classifier_factory: Callable[[], TextClassifier] | None = None
    # Set by `intake serve`: wakes the workers when a connector queues a message.
    notify_workers: Callable[[], None] = lambda: None
    _classifier: TextClassifier | None = field(default=None, repr=False)
    _classifier_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine: Engine | None = None,
        classifier_factory: Callable[[], TextClassifier] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> AppContext:
        """Wire the services for one process."""
        return cls(
            settings=settings,
            engine=engine or make_engine(settings.database_url),
            calendar=calendar_for(settings.nation, settings.timezone),
            letters=LetterWriter(settings),
            clock=clock,
            classifier_factory=classifier_factory or default_classifier_factory(settings),
        )

    @property
    def classifier(self) -> TextClassifier:
        """The classifier, loaded once on first use (loading takes seconds)."""
        if self._classifier is None:
            with self._classifier_lock:
                if self._classifier is None:
                    if self.classifier_factory is None:
                        raise RuntimeError("No classifier is configured")
                    self._classifier = self.classifier_factory()
        return self._classifier

    @property
    def classifier_loaded(self) -> bool:
        """True once the model is in memory."""
        return self._classifier is not None


def default_classifier_factory(settings: Settings) -> Callable[[], TextClassifier]:
    """Loads the fine-tuned model from INTAKE_MODEL_DIR, or the bundled one."""

    def load() -> TextClassifier:
        from classifier.model import Classifier

        return Classifier.load(settings.model_dir)

    return load
