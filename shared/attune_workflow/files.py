"""Reading workspace files safely: stat first, regular files only, never outside a root.

An editor tool sees every odd entry of a repository: symbolic link loops, links
to files outside the pack, FIFOs and devices named ``*.yaml``, sparse files of
gigabytes, names holding a NUL byte. :func:`read_file` reads a file only when it
is a regular file within the size limit and (when a root is given) really lies
inside that root; otherwise it raises :class:`FileProblem` with a sentence that
says why, which callers turn into a finding for that file alone.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class FileProblem(Exception):
    """A file that is not read, and why (``size`` is set when it is over the size limit)."""

    def __init__(self, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.size = size


# Folder -> its real path, while a batch of files is checked (see `folders_resolved_once`).
_folders: dict[str, str] | None = None


@contextmanager
def folders_resolved_once() -> Iterator[None]:
    """Within the block, :func:`real_path` resolves each folder once.

    A check of a tree asks for the real path of each file several times; each
    full resolution costs a system call per component of the path. Files are
    still looked at each time (one that is a link is resolved in full).
    """
    global _folders
    outer = _folders
    if outer is None:
        _folders = {}
    try:
        yield
    finally:
        _folders = outer


def real_path(path: Path) -> Path:
    """The absolute path with links resolved as far as they go; never raises.

    Unlike :meth:`Path.resolve`, a link loop or a NUL byte gives the absolute
    path as written rather than an exception.
    """
    try:
        folders = _folders
        if folders is not None:
            text = os.fspath(path)
            if ".." not in text and not os.path.islink(text):
                folder, name = os.path.split(os.path.abspath(text))
                real = folders.get(folder)
                if real is None:
                    real = folders[folder] = os.path.realpath(folder)
                found = os.path.join(real, name) if name else real
                # most paths are real already: the same object, not a new one to build
                return path if found == text and isinstance(path, Path) else Path(found)
        return Path(os.path.realpath(path))
    except (OSError, ValueError, RuntimeError):
        return Path(os.path.abspath(path))


def file_kind(mode: int) -> str:
    """How messages name a non-regular file."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def os_message(exc: OSError) -> str:
    """A sentence for an I/O error (a link loop is named as such)."""
    if exc.errno == errno.ELOOP:
        return "The file is a loop of symbolic links; it is not read"
    if exc.errno == errno.ENOENT:
        return "The file does not exist (a dangling symbolic link?); it is not read"
    reason = exc.strerror or str(exc)
    return f"Cannot read the file: {reason}"


def check_entry(path: Path, root: Path | None = None) -> os.stat_result:
    """The stat of a file that may be read; raises :class:`FileProblem` otherwise."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileProblem(os_message(exc)) from None
    except ValueError:
        raise FileProblem("The file name holds a NUL byte; it is not read") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"The file is {file_kind(info.st_mode)}, not a regular file; skipped")
    if root is not None:
        real = real_path(path)
        if not real.is_relative_to(real_path(root)):
            raise FileProblem(
                "The file is a symbolic link to a file outside the pack folder; it is not read"
            )
    return info


def read_file(path: Path, *, max_size: int | None = None, root: Path | None = None) -> bytes:
    """The bytes of a regular file, checked before any byte is read.

    ``max_size``: a larger file raises :class:`FileProblem` with ``size`` set,
    from its stat (a 1 GB sparse file costs no read). ``root``: a file whose
    real path lies outside it is not read.
    """
    info = check_entry(path, root)
    if max_size is not None and info.st_size > max_size:
        raise FileProblem("too large", size=info.st_size)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileProblem(os_message(exc)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the stat and the open
            raise FileProblem(
                f"The file is {file_kind(opened.st_mode)}, not a regular file; skipped"
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            want = 1 << 20 if max_size is None else min(1 << 20, max_size + 1 - total)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if max_size is not None and total > max_size:
                raise FileProblem("too large", size=max(total, opened.st_size))
    except OSError as exc:
        raise FileProblem(os_message(exc)) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_text(path: Path, *, max_size: int | None = None, root: Path | None = None) -> str:
    """The UTF-8 text of a file (a BOM dropped), read as :func:`read_file` does."""
    data = read_file(path, max_size=max_size, root=root)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise FileProblem("The file is not valid UTF-8") from None


__all__ = [
    "FileProblem",
    "check_entry",
    "file_kind",
    "folders_resolved_once",
    "read_file",
    "read_text",
    "real_path",
]
