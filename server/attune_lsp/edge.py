"""What crosses the wire: framing, unreadable requests and the spelling of URIs.

Every message from the client passes here before a handler sees it, so the rest of the
server can rely on three things: a frame it reads is whole (a bad header or an absurd
``Content-Length`` costs that one message, never the stream), a request whose params
cannot be read is answered with an error, and every document URI has one spelling.
"""

from __future__ import annotations

import logging
import re
from typing import Any, BinaryIO

import attrs
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

from . import convert

log = logging.getLogger(__name__)

# The largest message body read (the client's whole workspace edit fits many times over).
MAX_BODY = 256 * 1024 * 1024
# Header lines are short; a longer line is garbage to skip, read in pieces of this size.
MAX_LINE = 64 * 1024
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,20})[ \t]*\r?\n\Z", re.IGNORECASE)
_HEADER = re.compile(rb"[!-9;-~]+[ \t]*:[^\r\n]*\r?\n\Z")
_TAIL = 64  # bytes of a cut line kept to find a header split across two pieces


class FramedInput:
    """The client's byte stream as well-formed frames, for pygls' reader loop.

    pygls reads header lines until an empty one, then exactly ``Content-Length`` bytes,
    and never finds its way back once a header is wrong. This reader checks each header
    block first: a block without a usable length (missing, malformed, zero, or above
    :data:`MAX_BODY`) is dropped along with everything up to the next ``Content-Length``
    line, so the next message is read again. Memory stays bounded whatever arrives.
    """

    def __init__(self, raw: BinaryIO, max_body: int = MAX_BODY) -> None:
        self._raw = raw
        self._max_body = max_body
        self._pending: list[bytes] = []
        self._carry = b""

    def readline(self) -> bytes:
        """The next header line of a good frame (``b""`` at the end of the stream)."""
        if not self._pending:
            length = self._next_length()
            if length is None:
                return b""
            self._pending = [b"Content-Length: %d\r\n" % length, b"\r\n"]
        return self._pending.pop(0)

    def read(self, size: int) -> bytes:
        """The body of the frame whose headers were just read."""
        return self._raw.read(size)

    def _line(self) -> bytes:
        line = self._raw.readline(MAX_LINE)
        if self._carry:
            line, self._carry = self._carry + line, b""
        if line and not line.endswith(b"\n"):
            self._carry = line[-_TAIL:]  # the line goes on: look at its end with the rest
            return b"\0"
        return line

    def _next_length(self) -> int | None:
        """Read one header block; the length of its body, or None at the end."""
        length: int | None = None
        while True:
            line = self._line()
            if not line:
                return None
            found = _LENGTH.search(line)
            if found is not None:
                # A length line starts a block, even right after the rest of a bad one.
                length = int(found.group(1))
            elif line in (b"\r\n", b"\n"):
                if length is not None and 0 < length <= self._max_body:
                    return length
                log.error(
                    "Skipped a message with %s; reading on from the next header",
                    "no Content-Length" if length is None else f"Content-Length {length}",
                )
                length = None
            elif not _HEADER.fullmatch(line):
                length = None  # not a header: skip to the next length line


@attrs.define
class Rejected:
    """A message whose params could not be read: a request gets an error answer (a
    notification nothing), and no handler sees it."""

    id: int | str | None
    error: JsonRpcException
    jsonrpc: str = "2.0"


def canonical_uris(value: Any) -> None:
    """Give every ``uri`` field of incoming params its canonical spelling, in place."""
    if isinstance(value, list):
        for item in value:
            canonical_uris(item)
        return
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is None:
        return
    for field in fields:
        item = getattr(value, field.name, None)
        if isinstance(item, str):
            if field.name == "uri" or field.name.endswith("_uri"):
                object.__setattr__(value, field.name, convert.canonical_uri(item))
        elif item is not None and not isinstance(item, (int, float, bool, dict)):
            canonical_uris(item)


class EdgeProtocol(LanguageServerProtocol):
    """Checks what arrives before the handlers see it, and forgets finished handlers."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            message = super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "method" in data:
                msg_id = data.get("id")
                return Rejected(msg_id if isinstance(msg_id, (int, str)) else None, exc)
            raise
        params = getattr(message, "params", None)
        if params is not None and getattr(message, "method", None) is not None:
            canonical_uris(params)
        return message

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Rejected):
            if message.id is None:
                log.error("Ignored a notification whose params cannot be read")
                return
            log.error("Answered a request whose params cannot be read with an error")
            error = message.error
            if not isinstance(error, JsonRpcInvalidParams):
                error = JsonRpcInvalidParams()
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        # pygls keeps the future of every handler it runs under a fresh id, and drops it
        # only when it answers a request: each notification (every keystroke's didChange)
        # would stay in memory for good. Finished ones are dropped before each new one
        # (not from a done callback: pygls cancels them while it iterates over them).
        futures = self._request_futures
        for done in [key for key, future in futures.items() if future.done()]:
            del futures[done]
        super()._execute_handler(msg_id, handler, callback, args, kwargs)


__all__ = ["MAX_BODY", "EdgeProtocol", "FramedInput", "Rejected", "canonical_uris"]
