"""placeholder"""

from __future__ import annotations

TESTS: dict[str, dict[str, str]] = {
}
