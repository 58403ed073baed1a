"""Which evidence files are still wanted (the tidy sweep deletes the others)."""
from __future__ import annotations

import json
import re

from .db import IN_IDS, Database

SHA256 = re.compile(r"[0-9a-f]{64}")


class EvidenceRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def referenced(self, digests: list[str]) -> set[str]:
        """Those of `digests` (photos' SHA-256) that something refers to: an entry's or a
        report's evidence, an open one-line card, a flow's draft, a photo waiting for its
        report or a warning's photo (until its retention purge). Drafts and cards are searched
        as text for any SHA-256, whatever their shape, so a new kind of draft holding photos
        keeps them too."""
        rows = await self.db.fetchall(f"SELECT sha256 FROM evidence WHERE sha256 {IN_IDS}", (json.dumps(digests),))
        found = {r[0] for r in rows}
        held = await self.db.fetchall(
            "SELECT data FROM cards WHERE used_at IS NULL "
            "UNION ALL SELECT data FROM conversations WHERE data IS NOT NULL "
            "UNION ALL SELECT photo FROM conversations WHERE photo IS NOT NULL "
            "UNION ALL SELECT photo_ref FROM warnings WHERE photo_ref IS NOT NULL")
        for (text,) in held:
            found.update(SHA256.findall(text))
        return found & set(digests)

