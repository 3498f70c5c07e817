"""Pages, printing: headless Chromium turns a page into a PDF or a picture into a PNG (when it is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import say

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120  # seconds for one page


def find() -> str | None:
    """The headless browser's program, or None."""
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _missing(what: str) -> AttainError:
    return AttainError([Diagnostic("U561", say("U561", what=what), hint=say("U561.hint"))])


def run(args: list[str], what: str) -> subprocess.CompletedProcess:
    """Run the browser headless with `args` and a throw-away profile; U561 when it is missing or fails."""
    program = find()
    if program is None:
        raise _missing(what)
    with tempfile.TemporaryDirectory(prefix="attain-chromium-") as profile:
        command = [program, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                   "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False,
                                  env={**os.environ, "LANG": os.environ.get("LANG", "C.UTF-8")})
        except (OSError, subprocess.TimeoutExpired) as e:
            raise AttainError([Diagnostic("U561", say("U561.failed", what=what, reason=e))]) from None
    return done


def pdf(page: Path, out: Path) -> None:
    """`page` (an HTML file) printed to `out` as a PDF, A4 as the page's @page rule asks."""
    done = run([f"--print-to-pdf={out}", "--no-pdf-header-footer", page.resolve().as_uri()], say("U561.a_pdf"))
    if done.returncode != 0 or not out.exists():
        raise AttainError([Diagnostic("U561", say("U561.pdf", page=page,
                                                  reason=done.stderr.decode("utf-8", "replace").strip()[-300:]))])


def png(page: Path, out: Path, width: int, height: int) -> None:
    """A screenshot of `page` at width x height pixels."""
    done = run([f"--screenshot={out}", f"--window-size={width},{height}", page.resolve().as_uri()], say("U561.a_png"))
    if done.returncode != 0 or not out.exists():
        raise AttainError([Diagnostic("U561", say("U561.png", page=page,
                                                  reason=done.stderr.decode("utf-8", "replace").strip()[-300:]))])
