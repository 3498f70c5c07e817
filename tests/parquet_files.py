"""Test helper: Parquet files written by DuckDB from a SELECT, for the tests of reading Parquet data."""

from pathlib import Path

import duckdb


def parquet(path: Path, select: str) -> Path:
    """The rows of the DuckDB query `select` written to `path` as Parquet; `path`."""
    con = duckdb.connect()
    try:
        con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    finally:
        con.close()
    return path
