"""Types a command line and TAB into an interactive zsh, as a user would, and prints what zsh
showed after the TAB: the completed line, or the list of candidates.

usage: zsh_complete.py DIRECTORY LINE

DIRECTORY holds the completion function (_awssecrets); zsh starts with no startup files (-f),
puts DIRECTORY first in $fpath and runs compinit. Every read is bounded: 10 s for zsh to be
ready, then up to 2 s for the TAB's effect (a second TAB lists the candidates of an ambiguous
completion, under a new prompt) and 0.3 s more.
"""
import os
import pty
import sys

from terminal import read_for


def main():
    directory, line = sys.argv[1], sys.argv[2]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execvp("zsh", ["zsh", "-f", "-i"])
    setup = (
        f"fpath=({directory} $fpath); autoload -U compinit; compinit -u -D; "
        "zstyle ':completion:*' list-prompt ''; LISTMAX=10000; PS1='READY''> '\n"
    )
    os.write(fd, setup.encode())
    if b"READY> " not in read_for(fd, 10, until=b"READY> "):
        sys.exit("zsh did not start within 10 s")
    os.write(fd, line.encode() + b"\t\t")
    # zsh redraws its prompt under a list of candidates; a completed line needs no redraw.
    shown = read_for(fd, 2, until=b"READY> ")
    shown += read_for(fd, 0.3)
    os.write(fd, b"\x15exit\n")
    read_for(fd, 2)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace"))


main()
