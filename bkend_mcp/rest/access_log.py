"""Secrets carried in URLs never reach the server's log (issue #8 item 6). Console invitation and setup links
(`?token=`), OAuth callbacks (`?code=`) and signed storage URLs (`&sig=`) put a credential in the query string,
and uvicorn's access log (INFO) and its ASGI trace (TRACE) print query strings. A filter on those loggers, and on
httpx's (the provider calls), replaces such values with `[redacted]`; the rest of the line is kept for debugging.
"""

from __future__ import annotations

import logging
import re
from typing import Any

SECRET_PARAMS = "token|code|sig|signature|access_token|refresh_token|accesstoken|refreshtoken|id_token|client_secret"
SECRET_QUERY = re.compile(rf"\b({SECRET_PARAMS})=([^&\s'\"]+)", re.IGNORECASE)
LOGGERS = ("uvicorn.access", "uvicorn.asgi", "uvicorn.error", "httpx")
REDACTED = r"\1=[redacted]"


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return SECRET_QUERY.sub(REDACTED, value)
    if isinstance(value, bytes | dict | list | tuple):
        text = str(value)
        cleaned = SECRET_QUERY.sub(REDACTED, text)
        return value if cleaned == text else cleaned
    return value


class RedactQuerySecrets(logging.Filter):
    """Rewrites the record's message and arguments in place; never drops a record. Arguments keep their
    positions (uvicorn's access formatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = SECRET_QUERY.sub(REDACTED, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        return True


def redact_secrets() -> None:
    """Install the filter on the loggers that print URLs (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQuerySecrets) for f in logger.filters):
            logger.addFilter(RedactQuerySecrets())
