"""Settings from the environment (``CCDRILL_*``); nothing is read at import time."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field


class Settings(BaseModel):
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'ccdrill.db'}")
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""  # empty: a random key is made and kept beside the database
    lang: str = "zh"
    upload_dir: str = ""  # empty: ``uploads/`` beside the database
    max_upload_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            key = f"CCDRILL_{name.upper()}"
            if key in env and env[key] != "":
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
