"""Pages, printing: headless Chromium turns a page into a PDF or a picture into a PNG (when it is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from attain.diagnostics import AttainError, Diagnostic

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120  # seconds for one page


def find() -> str | None:
    """The headless browser's program, or None."""
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _missing(what: str) -> AttainError:
    return AttainError([Diagnostic("U561", f"{what} needs headless Chromium, and no `chromium` program was found",
                                   hint="install it (Debian: apt-get install chromium), or leave out --pdf / "
                                        "write .svg or .html")])


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
            raise AttainError([Diagnostic("U561", f"{what}: chromium failed: {e}")]) from None
    return done


def pdf(page: Path, out: Path) -> None:
    """`page` (an HTML file) printed to `out` as a PDF, A4 as the page's @page rule asks."""
    done = run([f"--print-to-pdf={out}", "--no-pdf-header-footer", page.resolve().as_uri()], "a PDF")
    if done.returncode != 0 or not out.exists():
        raise AttainError([Diagnostic("U561", f"chromium could not print {page} to PDF: "
                                      + done.stderr.decode("utf-8", "replace").strip()[-300:])])


def png(page: Path, out: Path, width: int, height: int) -> None:
    """A screenshot of `page` at width x height pixels."""
    done = run([f"--screenshot={out}", f"--window-size={width},{height}", page.resolve().as_uri()], "a PNG")
    if done.returncode != 0 or not out.exists():
        raise AttainError([Diagnostic("U561", f"chromium could not draw {page} as PNG: "
                                      + done.stderr.decode("utf-8", "replace").strip()[-300:])])
