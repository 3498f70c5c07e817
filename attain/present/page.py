"""Pages, the shell: one self-contained HTML page (inline CSS, no scripts, no fonts, no network), printable
on A4, and values as people read them in either language.

Everything that comes from a policy or data goes through `esc`.
"""

from __future__ import annotations

import html
from fractions import Fraction

from attain.engine.trace import TierValue
from attain.engine.wording import display
from attain.i18n.pages import PAGES


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def show(value: object, kind: str, lang: str, places: int | None = None, currency: str = "") -> str:
    """A value as a page shows it: 5,950 / 88% / 进步奖 / 是; money with the currency when one is given."""
    if isinstance(value, TierValue):
        return value.label or value.name
    if isinstance(value, bool):
        return PAGES("yes" if value else "no", lang)
    if value is None:
        return PAGES("missing", lang)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        text = display(Fraction(value), kind, places)
        if kind == "money" and currency:
            return ("-" + currency + text[1:]) if text.startswith("-") else currency + text
        return text
    return display(value, kind, places)


CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue",
       Arial, sans-serif; color: #1d2733; margin: 0 auto; max-width: 190mm; padding: 10mm 6mm; font-size: 10.5pt;
       line-height: 1.45; background: #fff; }
h1 { font-size: 17pt; margin: 0 0 2mm; font-weight: 700; }
h2 { font-size: 12pt; margin: 7mm 0 2.5mm; padding-bottom: 1mm; border-bottom: 1.5px solid #d5dde6; color: #23415f; }
.sub { color: #5a6b7d; font-size: 9.5pt; }
.head { display: flex; justify-content: space-between; align-items: flex-end; gap: 6mm;
        border-bottom: 3px solid #23415f; padding-bottom: 3mm; }
.who { text-align: right; }
.who .name { font-size: 15pt; font-weight: 700; }
.hero { display: flex; gap: 4mm; flex-wrap: wrap; margin: 5mm 0 1mm; }
.card { flex: 1 1 40mm; border: 1px solid #d5dde6; border-radius: 2mm; padding: 3mm 4mm; background: #f6f9fc; }
.card .k { color: #5a6b7d; font-size: 9pt; }
.card .v { font-size: 16pt; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card.main { background: #23415f; color: #fff; border-color: #23415f; }
.card.main .k { color: #c9d6e3; }
.card.main .v { font-size: 22pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }
th, td { text-align: left; padding: 1.2mm 2mm; border-bottom: 1px solid #e4e9ef; vertical-align: top; }
th { font-size: 9pt; color: #5a6b7d; font-weight: 600; background: #f6f9fc; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.here td { background: #fff4d6; font-weight: 600; }
tr.total td { font-weight: 700; border-top: 1.5px solid #23415f; }
.formula { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", Menlo, Consolas, monospace; font-size: 9.5pt; }
.step { margin: 0 0 2.5mm; padding: 2mm 3mm; border-left: 3px solid #8fb0d0; background: #fafcfe;
        break-inside: avoid; page-break-inside: avoid; }
.step .name { font-weight: 700; }
.step .why { color: #5a6b7d; font-size: 9.5pt; margin-top: 0.8mm; }
.step .why div::before { content: "· "; }
.reach { margin: 2mm 0; padding: 2.5mm 3mm; border-radius: 2mm; background: #eaf6ee; border: 1px solid #b9e0c5;
         font-weight: 600; }
.muted { color: #5a6b7d; font-size: 9pt; }
.cite { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8.5pt; color: #3c5673; }
.tag { display: inline-block; padding: 0 2mm; border-radius: 1mm; background: #ffe3a3; font-size: 8.5pt; }
.flag { display: inline-block; padding: 0.5mm 2.5mm; border-radius: 1mm; background: #fde2e1; color: #8a1f17;
        font-weight: 600; margin-right: 2mm; }
section { break-inside: auto; }
figure { margin: 2mm 0; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; }
footer { margin-top: 8mm; border-top: 1px solid #d5dde6; padding-top: 2mm; }
footer th { white-space: nowrap; }
footer td, footer th { font-size: 8pt; padding: 0.6mm 2mm; border: none; background: none; }
@media print {
  body { padding: 0; max-width: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, .card, figure { break-inside: avoid; page-break-inside: avoid; }
}
"""


def document(title: str, lang: str, body: str) -> str:
    """A whole page: the title, the inline style sheet, the body (already escaped)."""
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None,
          classes: list[str] | None = None) -> str:
    """A table of cells already escaped; `numeric` columns are right-aligned, `classes` one per row."""
    numeric = numeric or set()
    head = "".join(f'<th class="n">{h}</th>' if i in numeric else f"<th>{h}</th>" for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        cls = f' class="{classes[r]}"' if classes and classes[r] else ""
        cells = "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def manifest_table(manifest: dict, lang: str) -> str:
    """The run's record (a manifest.build_manifest dict) as a small table for a page's footer."""
    rows = []
    for p in manifest.get("policies", []):
        git = p.get("git") or {}
        commit = (git.get("commit") or "")[:12]
        extra = f" · {PAGES('git', lang)} {commit}" if commit else ""
        extra += f" {PAGES('modified', lang)}" if git.get("modified") else ""
        rows.append([esc(PAGES("policy", lang)), f'<span class="cite">{esc(p["path"])} sha256 '
                     f'{esc(p["sha256"][:16])}…{esc(extra)}</span>'])
    data = manifest.get("data") or {}
    if data:
        digest = f' sha256 {data["sha256"][:16]}…' if data.get("sha256") else ""
        rows.append([esc(PAGES("data", lang)), f'<span class="cite">{esc(data.get("path", ""))}{esc(digest)}</span>'])
    engine = manifest.get("engine") or {}
    rows.append([esc(PAGES("engine", lang)), esc(f'{engine.get("name", "")} {engine.get("version", "")}')])
    command = " ".join(manifest.get("command", []))
    rows.append([esc(PAGES("command", lang)), f'<span class="cite">{esc(command)}</span>'])
    rows.append([esc(PAGES("created", lang)), esc(manifest.get("created", ""))])
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<footer><table>{body}</table></footer>"


def picture_document(title: str, svg: str) -> str:
    """A page holding only a picture, at its own size, for a screenshot."""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{esc(title)}</title>'
            "<style>html,body{margin:0;padding:0;background:#fff;}svg{display:block;}</style></head>"
            f"<body>{svg}</body></html>\n")
