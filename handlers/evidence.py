"""Keep photo evidence: the channel's references plus the bytes, named by their SHA-256."""
from __future__ import annotations

import hashlib
import logging

from .core import Photo, Turn

log = logging.getLogger(__name__)


def save_photo(turn: Turn, photo: Photo | None = None) -> dict:
    """Write the photo into data/evidence/<sha256>.jpg and return its record (NewPhoto fields).

    A photo the channel could not fetch (no bytes, or none at all) still keeps its references:
    it can be fetched later. Nothing here raises for want of bytes."""
    photo = photo or turn.event.photo
    assert photo is not None
    record = {"file_id": photo.ref, "file_unique_id": photo.unique, "sha256": None, "path": None}
    if not photo.data:
        log.warning("photo %s came without its bytes; keeping its references", photo.unique)
        return record
    digest = hashlib.sha256(photo.data).hexdigest()
    folder = turn.svc.settings.data_dir / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.jpg"
    if not path.exists():
        path.write_bytes(photo.data)
    record.update(sha256=digest, path=str(path))
    return record
