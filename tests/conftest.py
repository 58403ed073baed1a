from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .helpers import Harness

TZ = ZoneInfo("Asia/Shanghai")
WORKER, WORKER2, CONTACT, OFFICE, STRANGER = 101, 102, 201, 301, 999


@pytest.fixture
async def bot(tmp_path):
    """A bot with the sample township loaded and one person of each role."""
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(WORKER2, "BHQ-2", "worker")
        await h.join(CONTACT, "BHQ", "contact")
        await h.join(OFFICE, "WLS", "office")
        yield h
