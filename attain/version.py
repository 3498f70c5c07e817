"""The engine's version, recorded in every run's manifest (the one place it is written)."""

__version__ = "0.1.0"
