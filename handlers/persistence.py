"""PTB persistence in the same SQLite file: a guided flow resumes after a restart.

Only user_data (drafts) and conversation states are kept; bot_data holds live services
and chat_data is unused. The Application writes after every update (handlers/__init__.py),
not only on its timer, so a crash loses at most the update being handled."""
from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database
from storage.state import StateRepo


class SqlitePersistence(BasePersistence):
    def __init__(self, path: Path) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False), update_interval=60)
        self.path = path
        self._db: Database | None = None
        self._saved: dict[tuple[str, str], str] = {}  # what each row holds, to skip unchanged writes

    async def _repo(self) -> StateRepo:
        if self._db is None:  # its own connection: persistence loads before post_init opens storage
            self._db = await Database(self.path).connect()
        return StateRepo(self._db)

    async def get_user_data(self) -> dict[int, dict]:
        return {int(k): v for k, v in (await (await self._repo()).load("user")).items()}

    async def _save(self, kind: str, key: str, value: object | None) -> None:
        """Write only what changed: PTB hands over every user touched by an update."""
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if self._saved.get((kind, key)) != text:
            await (await self._repo()).save(kind, key, deepcopy(value))
            self._saved[(kind, key)] = text

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._save("user", str(user_id), data or None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._save("user", str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def get_conversations(self, name: str) -> dict:
        stored = await (await self._repo()).load(f"conv:{name}")
        return {tuple(json.loads(k)): v for k, v in stored.items()}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        await self._save(f"conv:{name}", json.dumps(list(key)), new_state)

    async def flush(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    # chat_data, bot_data and callback_data are not stored (see PersistenceInput above).
    async def get_chat_data(self) -> dict:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: object) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass
