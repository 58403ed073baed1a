"""Keep photo evidence: the channel's references plus the bytes, named by their SHA-256.

The files live in data/evidence/ (back it up with the database). They show people's homes,
so they are this user's only (storage.db.private_*). The folder has a cap (EVIDENCE_MAX_MB):
past it a photo keeps only its references and the person is told. Files nothing refers to
any more are deleted by the scheduler (schedules/tidy.py, `sweep`)."""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path

from storage.db import private_dir, write_private

from .core import Photo, Turn

log = logging.getLogger(__name__)
MAX_PHOTOS_PER_REPORT = 9  # photos on one report's note (a phone's album sends ten at most)
# Bytes in each evidence folder: counted once per process, then kept up to date here and by
# the sweep. Summing a folder of thousands of photos for every new one would be slow.
_used: dict[Path, int] = {}


def evidence_dir(settings) -> Path:
    return settings.data_dir / "evidence"


def max_bytes(settings) -> int:
    return settings.evidence_max_mb * 1024 * 1024


def used_bytes(folder: Path) -> int:
    return _used[folder] if folder in _used else recount(folder)


def recount(folder: Path) -> int:
    """Sum the folder's files again (the sweep does, after deleting some)."""
    _used[folder] = sum(e.stat().st_size for e in os.scandir(folder) if e.is_file()) if folder.exists() else 0
    return _used[folder]


def touch(path: Path, now: datetime) -> None:
    """Mark the file as in use now (by the bot's clock): the sweep spares it a while."""
    os.utime(path, (now.timestamp(), now.timestamp()))


def save_photo(turn: Turn, photo: Photo | None = None) -> dict:
    """Write the photo into data/evidence/<sha256>.jpg and return its record (NewPhoto fields).

    The record's path is None when the file was not written: the channel gave no bytes (it
    can be fetched later by its references), or the folder is full (the person is told here,
    so every caller shows it). Nothing here raises for want of bytes or space."""
    photo = photo or turn.event.photo
    assert photo is not None
    record = {"file_id": photo.ref, "file_unique_id": photo.unique, "sha256": None, "path": None}
    if not photo.data:
        log.warning("photo %s came without its bytes; keeping its references", photo.unique)
        return record
    record["sha256"] = hashlib.sha256(photo.data).hexdigest()
    folder = evidence_dir(turn.svc.settings)
    path = folder / f"{record['sha256']}.jpg"
    if not path.exists() and not _write(turn, folder, path, photo.data):
        turn.say(turn.t("evidence-full"))
        return record
    touch(path, turn.now)  # sent again, it is wanted again
    record["path"] = str(path)
    return record


def _write(turn: Turn, folder: Path, path: Path, data: bytes) -> bool:
    """Write a new evidence file; False if the cap or the disk leaves no room for it."""
    limit = max_bytes(turn.svc.settings)
    if used_bytes(folder) + len(data) > limit:
        log.warning("evidence folder is full (%d MB): a photo kept its references only", limit >> 20)
        return False
    try:
        private_dir(folder)
        write_private(path, data)
    except OSError as err:  # the disk itself is full (or read-only): the same for the person
        log.warning("evidence file not written: %s", err.strerror)
        return False
    _used[folder] += len(data)
    return True


def add_photo(turn: Turn, photos: list[dict], most: int = MAX_PHOTOS_PER_REPORT) -> dict | None:
    """Save the event's photo onto `photos`, unless `most` are there already: then say so and
    write nothing (a file no report would use). Returns the record added, or None."""
    if len(photos) >= most:
        turn.say(turn.t("quick-photo-full", most=most))
        return None
    record = save_photo(turn)
    photos.append(record)
    return record
