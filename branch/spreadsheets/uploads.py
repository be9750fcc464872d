"""Keeping an upload between its preview and its confirmation.

The file waits in a private temporary folder under a random token that only the uploader's session
knows, rather than travelling back through the browser as a hidden field: a file of several MB would
go through the browser twice, and the confirmation would trust whatever the browser sent instead of
the file that was previewed. Not MEDIA_ROOT: the web server publishes that folder, and a roster holds
ID card numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

UPLOAD_MAX_AGE = dt.timedelta(days=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class UploadStore:
    """Uploads of one kind, in the folder named by a setting (default: `folder_name` in the system's
    temporary folder)."""

    def __init__(self, setting: str, folder_name: str):
        self.setting, self.folder_name = setting, folder_name

    def folder(self) -> Path:
        folder = Path(getattr(settings, self.setting, None) or Path(tempfile.gettempdir()) / self.folder_name)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def store(self, content: bytes) -> str:
        """Keep an upload for its confirmation; returns the token to find it again. Forgets uploads
        older than a day."""
        folder = self.folder()
        cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
        for old in folder.glob("*.upload"):
            with contextlib.suppress(FileNotFoundError):  # another worker may be sweeping too
                if old.stat().st_mtime < cutoff:
                    old.unlink()
        token = secrets.token_urlsafe(24)
        descriptor = os.open(folder / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        return token

    def load(self, token: str) -> bytes | None:
        if not _TOKEN.match(token or ""):
            return None
        try:
            return (self.folder() / f"{token}.upload").read_bytes()
        except FileNotFoundError:
            return None

    def discard(self, token: str) -> None:
        if _TOKEN.match(token or ""):
            (self.folder() / f"{token}.upload").unlink(missing_ok=True)
