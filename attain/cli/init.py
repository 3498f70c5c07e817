"""`attain init`: a starter policy, its sample data and its test, written into a folder to begin from."""

from __future__ import annotations

from pathlib import Path

import click

from attain.cli.common import guard
from attain.diagnostics import AttainError, Diagnostic
from attain.i18n import language
from attain.i18n.messages import joined, say
from attain.i18n.starter import DATA_FILE, POLICY_FILE, STARTER, TEST_FILE
from attain.io import write_atomically

NEXT = {
    "zh": "已创建 {files}。\n下一步：\n  cd {folder}\n  attain check {policy}\n"
          "  attain run {policy} --data {data} --out 结果.xlsx\n  attain test\n",
    "en": "created {files}.\nnext:\n  cd {folder}\n  attain check {policy}\n"
          "  attain run {policy} --data {data} --out results.xlsx\n  attain test\n",
}


@click.command("init")
@click.argument("folder", default=".", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="The language of the policy's names, the sample's columns and the messages "
                   "[default: from the locale].")
@guard
def init_cmd(folder, lang):
    """Write a working starter policy, sample data and a policy test into FOLDER (default: here).

    `attain check`, `attain run` and `attain test` pass on them as written; change them to fit
    your own plan. Files that are there already are never overwritten.
    """
    chosen = language(lang)
    target = Path(folder)
    names = (POLICY_FILE, DATA_FILE, TEST_FILE)
    there = [name for name in names if (target / name).exists()]
    if there:
        raise AttainError([Diagnostic("U567", say("U567", folder=folder, there=joined(there)),
                                      hint=say("U567.hint"))])
    if target.exists() and not target.is_dir():
        raise AttainError([Diagnostic("U505", say("U505.file", folder=folder))])
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AttainError([Diagnostic("U505", say("U505.mkdir", folder=folder, reason=e.strerror or e))]) from None
    for name in names:
        write_atomically(target / name, STARTER(name, chosen))
    click.echo(NEXT[chosen].format(files=", ".join(str(target / n) for n in names), folder=folder,
                                   policy=POLICY_FILE, data=DATA_FILE), err=True, nl=False)
