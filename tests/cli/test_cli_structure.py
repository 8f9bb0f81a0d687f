# SPDX-License-Identifier: BSD-3-Clause
"""The command table: one module per command, no import circle, one error module."""

import ast
import pkgutil
from pathlib import Path

import pytest

import ngep.cli
from ngep.cli._errors import CLIError
from ngep.cli._main import COMMANDS, main
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
    listed = {c.__name__.rsplit(".", 1)[1] for c in COMMANDS}
    assert found == listed


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.NAME)
def test_command_module_shape(command):
    assert command.__name__.endswith(f"_cmd_{command.NAME}")
    assert callable(command.add_parser) and callable(command.run)


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
    positions = [out.index(f"\n    {c.NAME}") for c in COMMANDS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.NAME)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command.NAME, "--help"])
    assert exit_info.value.code == 0
    assert "usage: ngep " + command.NAME in capsys.readouterr().out


def test_cli_error_is_an_ngep_error_and_a_value_error():
    assert issubclass(CLIError, NgepError) and issubclass(CLIError, ValueError)

