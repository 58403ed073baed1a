"""Keep photo evidence: Telegram ids plus the downloaded bytes and their SHA-256."""
from __future__ import annotations

import hashlib
import logging

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from .common import svc

log = logging.getLogger(__name__)


async def save_photo(message: Message, context: ContextTypes.DEFAULT_TYPE) -> dict:
    """Download the largest size of the photo into data/evidence/<sha256>.jpg.

    A failed download still keeps the Telegram ids (the photo can be fetched later)."""
    photo = message.photo[-1]
    record = {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id, "sha256": None, "path": None}
    try:
        data = bytes(await (await photo.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("could not download photo %s; keeping its ids", photo.file_unique_id, exc_info=True)
        return record
    digest = hashlib.sha256(data).hexdigest()
    folder = svc(context).settings.data_dir / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.jpg"
    if not path.exists():
        path.write_bytes(data)
    record.update(sha256=digest, path=str(path))
    return record
