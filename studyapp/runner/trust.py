"""Remember which card files the learner allowed to run commands.

A file is trusted for its current content only: the key is its resolved path plus the
sha256 of its bytes, so any edit asks again. Stored as JSON in the study data folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from studyapp.atomic import write_text_atomic
from studyapp.paths import default_data_dir

TRUST_FILE_NAME = "trusted_files.json"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TrustStore:
    def __init__(self, store_path: Path | None = None) -> None:
        self.path = store_path if store_path is not None else default_data_dir() / TRUST_FILE_NAME

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: trust nothing, ask again
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def is_trusted(self, card_file: Path) -> bool:
        try:
            digest = file_digest(card_file)
        except OSError:
            return False
        return self._load().get(str(card_file.resolve())) == digest

    def trust(self, card_file: Path) -> None:
        """Trust `card_file` as it is now."""
        entries = self._load()
        entries[str(card_file.resolve())] = file_digest(card_file)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, json.dumps(entries, indent=2, sort_keys=True) + "\n")
