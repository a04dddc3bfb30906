"""Supervisor of one local inference server: binds loopback, starts azmlinfsrv, dies with its owner.

Run as ``python -m amlnbtools.sources.local_server._supervisor --port N -- COMMAND...``.

- azmlinfsrv hard-codes ``-b 0.0.0.0:PORT`` on gunicorn's command line. Gunicorn's supported systemd
  socket activation (``LISTEN_FDS``/``LISTEN_PID``) makes it serve sockets it inherits instead of
  binding its own: the supervisor binds 127.0.0.1 and hands that socket over as fd 3, so no other
  interface ever answers.
- The owner holds our standard input open. When it closes it — :meth:`stop`, interpreter exit, or the
  owning kernel killed outright — the supervisor stops the server's whole process group and exits.
- First line on standard output: ``AMLNBTOOLS_PORT=<port>``; exit status 98 if the port is taken.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import os
import signal
import socket
import sys
import threading
import time

PORT_IN_USE_EXIT = 98
LISTEN_FD = 3  # systemd's SD_LISTEN_FDS_START


def _die_with_parent() -> None:
    """Linux: also end if the supervisor itself is killed (belt and braces)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stop_group(pid: int, grace_s: float = 5.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="amlnbtools-local-server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", args.port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"AMLNBTOOLS_PORT_IN_USE={args.port}", flush=True)  # noqa: T201 (read by the owner)
            return PORT_IN_USE_EXIT
        raise
    listener.listen(128)
    port = listener.getsockname()[1]
    print(f"AMLNBTOOLS_PORT={port}", flush=True)  # noqa: T201 (the owner reads the port here)

    pid = os.fork()
    if pid == 0:  # the server: its own process group, the socket as fd 3, systemd activation variables
        try:
            os.setsid()
            _die_with_parent()
            os.dup2(listener.fileno(), LISTEN_FD)
            os.set_inheritable(LISTEN_FD, True)
            os.environ["LISTEN_FDS"] = "1"
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.execvp(command[0], [*command, "--port", str(port)])
        finally:
            os._exit(127)
    listener.close()

    def watch_owner() -> None:
        # raw reads (no buffered stdin: its lock aborts the interpreter at exit) until EOF, which
        # means the owner stopped us or is gone
        while os.read(0, 4096):
            pass
        _stop_group(pid)

    threading.Thread(target=watch_owner, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: _stop_group(pid))
    _, status = os.waitpid(pid, 0)
    _stop_group(pid, grace_s=1.0)  # workers left behind by a master that died
    code = os.waitstatus_to_exitcode(status) if status else 0
    return code if code >= 0 else 128 - code  # killed by signal N: 128 + N, as shells report it


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(status)  # no interpreter shutdown while the watcher thread blocks in read()
