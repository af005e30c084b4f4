"""Reading what a program under a pseudo-terminal shows, bounded in time (for pty_run.py and
zsh_complete.py, which import it from beside them)."""
import os
import select
import time


def read_for(fd, seconds, until=None):
    """What the terminal `fd` shows within `seconds`, or until `until` has shown."""
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            if until is not None and until in data:
                break
    return data
