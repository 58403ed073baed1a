"""Scheduled work under PTB's JobQueue. What is due is always derived from the database."""
from __future__ import annotations

from telegram.ext import Application


def install(app: Application) -> None:
    """Register the periodic jobs (filled in by the reminder, summary and backup modules)."""
