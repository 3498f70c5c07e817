"""Explanations: record how the reference evaluator computed one employee's values, and render the record.

The recorder observes the evaluator (recorder.py) and builds the `Trace` tree
(attain/engine/trace.py); the renderers read that tree: indented text
(text.py) and JSON (json_document.py). None of them imports the evaluator.
"""
