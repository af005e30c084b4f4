"""Runs a command as the foreground job of a new pseudo-terminal and types keys at it.

usage: pty_run.py KEYS -- COMMAND [ARG...]

KEYS is a comma-separated list of actions taken once the command printed "ready": INT (types
Ctrl-C), QUIT (types Ctrl-\\), or kill-NAME (sends signal NAME to the command's own PID with
kill(2), as another process would). After each, the terminal is read until the command says
"got NAME" (up to 10 s, however loaded the machine), then for half a second more, so that a
second delivery would show. Then the command is killed (SIGKILL) and everything the terminal
showed is printed on stdout.
"""
import os
import pty
import signal
import sys
import time

from terminal import read_for

KEYS = {"INT": b"\x03", "QUIT": b"\x1c"}


def main():
    separator = sys.argv.index("--")
    keys = [key for key in sys.argv[1].split(",") if key]
    command = sys.argv[separator + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    shown = read_for(fd, 10, until=b"ready")
    for key in keys:
        if key.startswith("kill-"):
            name = key[len("kill-"):]
            os.kill(pid, getattr(signal, "SIG" + name))
        else:
            name = key
            os.write(fd, KEYS[key])
        expected = b"got " + name.encode()
        arrived = b""
        deadline = time.monotonic() + 10
        while expected not in arrived and time.monotonic() < deadline:
            arrived += read_for(fd, 0.1)
        shown += arrived + read_for(fd, 0.5)
    os.kill(pid, signal.SIGKILL)
    shown += read_for(fd, 1)
    os.waitpid(pid, 0)
    sys.stdout.write(shown.decode("utf-8", "replace"))


main()
