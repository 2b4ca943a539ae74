"""Run one piece of work in a forked child while the parent goes on with the rest.

`okr site` builds the follow-up (which reads git and loads the OKR files as they
were a week ago) in a child while the parent writes every other page: on two
cores the site takes the time of the longer half. The child shares the loaded
model copy-on-write and sends nothing back: it writes its files into the same
temporary folder and exits 0. Where `os.fork` is missing, with `OKR_WORKERS=1`,
or when the child fails for any reason, `finish()` does the work in the parent,
so errors are reported exactly as in a serial run.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


class Beside:
    def __init__(self, work: Callable[[], None]):
        self.work = work
        self.pid: int | None = None
        if not hasattr(os, "fork") or os.environ.get("OKR_WORKERS", "") == "1":
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: do the work, never return into the parent's code
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                with open(os.devnull, "w") as quiet:  # the parent says what there is to say
                    sys.stdout = sys.stderr = quiet
                    work()
                code = 0
            finally:
                os._exit(code)
        self.pid = pid

    def finish(self) -> bool:
        """Wait for the child; do the work here if it did not succeed. True when the child did it."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) == 0:
                return True
        self.work()
        return False

    def cancel(self) -> None:
        """Stop the child (the parent is failing or interrupted)."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
