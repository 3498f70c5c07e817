"""Data in and out: read data files into tables of text cells, convert cells exactly, write results atomically."""

from attain.io.cells import CellError, parse_cell
from attain.io.numtext import approximate, format_grouped, format_number
from attain.io.readers import read_table
from attain.io.tables import ExactCell, Place, Row, Table, exact_cell
from attain.io.writers import stdout_failed, write_atomically, write_results

__all__ = [
    "CellError",
    "ExactCell",
    "Place",
    "Row",
    "Table",
    "approximate",
    "exact_cell",
    "format_grouped",
    "format_number",
    "parse_cell",
    "read_table",
    "stdout_failed",
    "write_atomically",
    "write_results",
]
