"""Keeping API keys out of everything Draftsmith writes: messages, logs, the cache, outputs.

A model registers its key with `register_secret` when it is built; `redact` then replaces
that key — and any `Bearer …` credential, and the password of a URL such as
`http://user:password@host/v1` — with `***` in any text. `RedactingFilter` does
the same for log records.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s'\"]+")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@'\"]*:)[^/\s@'\"]+@")
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember `value` so that `redact` removes it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str, *extra: str | None) -> str:
    """`text` with every registered secret (and `extra` ones) and bearer token masked."""
    with _lock:
        secrets = set(_secrets)
    secrets.update(s for s in extra if s and len(s) >= 4)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
