# SPDX-License-Identifier: BSD-3-Clause
"""The command table: one module per command, no import circle, one error module."""

import ast
import pkgutil
import re
from pathlib import Path

import pytest

import ngep.cli
from ngep.cli._args import COMMON_OPTIONS
from ngep.cli._errors import CLIError
from ngep.cli._main import COMMANDS, build_parser, main
from ngep.exceptions import NgepError

CLI_DIR = Path(ngep.cli.__file__).parent


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_every_command_module_is_in_the_table():
    found = {
        m.name
        for m in pkgutil.iter_modules([str(CLI_DIR)])
        if m.name.startswith("_cmd_")
    }
    listed = {c.module.__name__.rsplit(".", 1)[1] for c in COMMANDS}
    assert found == listed


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_command_module_shape(command):
    assert command.module.__name__.endswith(f"_cmd_{command.name}")
    assert callable(command.module.add_arguments) and callable(command.module.run)
    assert command.help and set(command.options) <= set(COMMON_OPTIONS)
    assert "debug" in command.options


@pytest.mark.parametrize("path", sorted(CLI_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_the_dispatcher(path):
    # The dispatcher imports the commands; nothing imports the dispatcher back,
    # so there is no import circle (the package __init__ re-exports main).
    if path.name in ("_main.py", "__init__.py"):
        return
    assert "ngep.cli._main" not in set(_imported_modules(path))


def test_help_lists_commands_in_table_order(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    positions = [out.index(f"\n    {c.name}") for c in COMMANDS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command.name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: ngep " + command.name in out
    listing = " ".join(build_parser().format_help().split())
    assert f"{command.name} {command.help}" in listing


# A command with sub-commands takes the shared options before and after them.
_LEAVES = {"fetch": [["fetch"], ["fetch", "allen"], ["fetch", "neuromorpho"]]}


@pytest.mark.parametrize("words", [
    words for c in COMMANDS for words in _LEAVES.get(c.name, [[c.name]])
], ids=" ".join)
def test_shared_options_are_those_of_the_table(words, capsys):
    """Each command takes exactly the shared options its row names."""
    command = next(c for c in COMMANDS if c.name == words[0])
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name, (flags, kwargs) in COMMON_OPTIONS.items():
        # the shared option itself: its flag and its help (``fetch`` has a
        # --cache-dir of its own, for downloads)
        taken = re.search(rf"{flags[0]}(?: [A-Z_]+)? {re.escape(kwargs['help'])}",
                          out) is not None
        assert taken == (name in command.options), (command.name, flags[0])


@pytest.mark.parametrize("given", [[], ["--debug", "--no-progress"]])
@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_shared_options_before_or_after_a_sub_command(given, before):
    # argparse copies a sub-command's namespace over its parent's: its
    # defaults must not reset an option given before the sub-command
    words = ["neuromorpho", "--out", "x"]
    argv = ["fetch", *given, *words] if before else ["fetch", *words, *given]
    args = build_parser().parse_args(argv)
    assert (args.debug, args.progress) == ((True, False) if given else (False, True))


def test_cli_error_is_an_ngep_error_and_a_value_error():
    assert issubclass(CLIError, NgepError) and issubclass(CLIError, ValueError)

