"""SQLite storage: one private database file, ordered migrations, repositories per concern."""

from bot.storage.database import Database

__all__ = ["Database"]
