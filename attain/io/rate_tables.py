"""Reading a rate table kept in a file beside the policy (`table rates from "rates.csv"`) as positioned text cells.

The file is read as any data file is (CSV in UTF-8 or GBK, a worksheet of an .xlsx
workbook, Excel's numbers without float damage, or Parquet), with its first row as the header. The
checker (`attain.dsl.table_files`) makes keys and numbers of the cells; this module only
says what each cell holds and where it is, so that an error names its cell.
"""

from __future__ import annotations

from attain.diagnostics import AttainError, Diagnostic
from attain.dsl.table_files import Cell
from attain.i18n.messages import say
from attain.io.parquet import is_parquet, refuse_reads
from attain.io.readers import read_table


def read_rate_table(path: str, sheet: str | None) -> list[list[Cell]]:
    """The file's rows of cells, header first; each cell's text (stripped, "" when empty) and place."""
    if is_parquet(path):  # its columns are named by the file; a float rate is never read (D460)
        table = read_table(path, sheet)
        refuse_reads(table, {}, set(table.refused), "D460.rate_table")
    else:
        table = read_table(path, sheet, header_row=1)
    if table.cells is None:
        raise AssertionError("a file read by read_table knows where its cells are")
    places = table.cells

    def cell(line: int, column: str, text: str | None) -> Cell:
        place = places.place(line, column)
        if place is None:
            raise AttainError([Diagnostic("D404", say("D404.no_column", path=path, column=column))])
        return Cell((text or "").strip(), place.span, place.name)

    grid = [[cell(table.header_line, c, c) for c in table.columns]]
    grid += [[cell(row.line, c, row.cells.get(c)) for c in table.columns] for row in table.rows]
    return grid
