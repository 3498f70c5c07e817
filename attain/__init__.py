"""attain: policy-as-code for sales performance evaluation and incentive pay."""

from attain.api import Explanation, Policy, Results, check, load, loads
from attain.diagnostics import AttainError, Diagnostic
from attain.version import __version__
from attain.versions import Versions, load_versions

__all__ = [
    "AttainError", "Diagnostic", "Explanation", "Policy", "Results", "Versions", "__version__",
    "check", "load", "load_versions", "loads",
]
