"""The engine: compiles checked policies into plans and evaluates them over data."""
