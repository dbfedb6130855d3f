"""Every command of the command line is documented in README.md and has --help (DESIGN.md "The command line")."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from automation.cli.main import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    out = []
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in top.choices.items():
        subs = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            out += [[name, s] for s in subs[0].choices]
        else:
            out.append([name])
    return out


@pytest.mark.parametrize("cmd", _commands(), ids=" ".join)
def test_every_command_is_in_the_readme_and_has_help(cmd, capsys):
    words = " ".join(cmd)
    assert words in README or f"{cmd[0]} " in README and all(w in README for w in cmd), f"README lacks `{words}`"
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([*cmd, "--help"])
    assert e.value.code == 0 and "usage:" in capsys.readouterr().out
