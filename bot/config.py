"""Typed configuration from the environment or a .env file."""
from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing import Annotated

DATA_DIR = Path(__file__).parent / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    bot_api_base_url: str | None = None
    bot_api_file_url: str | None = None
    database_path: Path = Path("data/bot.sqlite3")
    timezone: str = "Asia/Shanghai"
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    wecom_bot_id: str | None = None
    wecom_bot_secret: SecretStr | None = None
    wecom_ws_url: str | None = None
    admin_wecom_userids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    deadlines_file: Path = DATA_DIR / "deadlines.toml"
    targets_file: Path = DATA_DIR / "targets.toml"
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    summary_time: time = time(17, 30)
    weekly_digest_time: time = time(8, 30)
    backup_time: time = time(2, 30)
    backup_keep: int = Field(14, ge=1)
    rate_limit_per_second: float = Field(25.0, gt=0)
    max_households: int = Field(200, ge=1)
    max_attendees: int = Field(3000, ge=1)
    max_other: int = Field(500, ge=1)
    evidence_max_mb: int = Field(2048, ge=1)
    warning_window_hours: float = Field(24.0, gt=0, le=24 * 30)   # early warnings: an outcome within this
    warning_retention_days: int = Field(90, ge=1)                 # closed warnings' personal fields kept this long
    evidence_zip_max_mb: int = Field(20, ge=1)  # one 佐证材料 zip at most; more photos: more parts

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            return [int(p) for p in v.replace(" ", "").split(",") if p]
        if isinstance(v, int):
            return [v]
        return v

    @field_validator("admin_wecom_userids", mode="before")
    @classmethod
    def _split_userids(cls, v: object) -> object:
        return [p for p in v.replace(" ", "").split(",") if p] if isinstance(v, str) else v

    @field_validator("wecom_ws_url")
    @classmethod
    def _ws_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        if v.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return v.upper()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    @property
    def file_url(self) -> str | None:
        if self.bot_api_file_url:
            return self.bot_api_file_url
        if self.bot_api_base_url and self.bot_api_base_url.rstrip("/").endswith("/bot"):
            return self.bot_api_base_url.rstrip("/")[: -len("/bot")] + "/file/bot"
        return None

    def measure_limit(self, measure: str) -> int:
        """Per-entry plausibility bound: above it the entry needs a second confirmation."""
        if measure == "households":
            return self.max_households
        if measure == "attendees":
            return self.max_attendees
        return self.max_other
