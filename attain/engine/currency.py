"""Binding, currencies: the data's money is in one currency, the policy's (`currency "CNY"`) or, without one, its own.

A money cell may carry a sign (¥ ￥ $ € £, see `attain.io.cells.money_cell`) and a row an
ISO 4217 code in a currency column (`currency`, `币种`, `货币`). Each sign or code names
the currencies it is written for ("¥": CNY or JPY); together with the policy's currency they
must leave one in common. The first that leaves none is a data error (D437) at its cell,
naming the currency the amounts were in until then: a sum over yuan and dollars is no amount.
"""

from __future__ import annotations

from attain.dsl.builtins import currency_codes
from attain.i18n.messages import joined, say
from attain.io import CellError
from attain.io.cells import money_cell

CODE_COLUMNS = ("currency", "currency_code", "币种", "货币")


class CurrencyError(CellError):
    """A cell in another currency than the policy's, or than the data's amounts before it (D437)."""

    code = "D437"


class Currencies:
    """What a run's data has said about its currency so far: the codes still possible, and who first said so."""

    def __init__(self, declared: str | None):
        self.declared = declared
        self.possible: frozenset[str] | None = frozenset(currency_codes(declared)) if declared else None
        self.first: str | None = None  # the first cell that narrowed the currency: 'line 3 ("¥1,200")'
        self.line = 0  # the row being read, set by the binder

    def _in(self) -> str:
        if self.declared is not None:
            codes = joined(sorted(self.possible or ()))
            return say("D437.declared", currency=self.declared,
                       codes=say("D437.codes", codes=codes) if str(codes) != self.declared else "")
        return say("D437.before", codes=joined(sorted(self.possible or ())), first=self.first)

    def narrow(self, codes: tuple[str, ...], text: str) -> None:
        """Take one sign's or code's currencies into account; CurrencyError when none is left in common."""
        found = frozenset(codes)
        if self.possible is None:
            self.possible, self.first = found, say("D437.first", line=self.line, text=text)
            return
        common = self.possible & found
        if not common:
            raise CurrencyError(say("D437.money", within=self._in()))
        if common != self.possible and self.first is None:
            self.first = say("D437.first", line=self.line, text=text)
        self.possible = common

    def money(self, convert):
        """The money converter `convert`, checking the sign of each cell it reads."""

        def read(text):
            if type(text) is str:
                value, sign = money_cell(text)
                if sign is not None and value is not None:
                    self.narrow(currency_codes(sign), text.strip())
            return convert(text)

        return read

    def code(self, text: str) -> None:
        """A row's currency code (ISO 4217, a name such as RMB, or a sign)."""
        codes = currency_codes(text)
        if not codes:
            raise CurrencyError(say("D437.code"))
        self.narrow(codes, text.strip())
