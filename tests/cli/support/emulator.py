"""Runs moto_server on a free loopback port for the awssecrets tests.

werkzeug announces the URL on stderr ("Running on http://127.0.0.1:PORT"). This process exits
as soon as its stdin closes, so the emulator never outlives the test process that started it,
however that process ends.
"""
import os
import sys
import threading


def exit_when_parent_goes():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()

from moto.server import main  # noqa: E402  (imported after the watchdog starts)

main(["-H", "127.0.0.1", "-p", "0"] + sys.argv[1:])
