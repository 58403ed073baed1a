"""What every channel needs at hand: settings, storage and the clock."""
from __future__ import annotations

from dataclasses import dataclass, field

from .clock import Clock
from .config import Settings
from storage import Storage


@dataclass
class Services:
    settings: Settings
    storage: Storage
    clock: Clock
    extra: dict = field(default_factory=dict)  # loaded calendars and targets, keyed by name
