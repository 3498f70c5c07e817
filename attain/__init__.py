"""attain: policy-as-code for sales performance evaluation and incentive pay."""

from attain.api import Explanation, Policy, Results, check, load, loads
from attain.diagnostics import AttainError, Diagnostic

__version__ = "0.1.0"

__all__ = ["AttainError", "Diagnostic", "Explanation", "Policy", "Results", "check", "load", "loads", "__version__"]
