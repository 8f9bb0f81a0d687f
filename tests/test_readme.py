# SPDX-License-Identifier: BSD-3-Clause
"""The README's two commands stay true: CI runs exactly the documented test command."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_readme_has_two_commands_that_pin_torch():
    commands = _commands()
    assert len(commands) == 2
    for command in commands:
        assert "pip install torch==2.13.0" in command
    assert commands[0].endswith("ngep demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def test_import_is_lazy_and_side_effect_free():
    import subprocess
    import sys

    code = (
        "import sys, warnings, logging; before = len(logging.root.handlers);"
        "import ngep; assert 'torch' not in sys.modules, 'torch imported';"
        "assert 'matplotlib' not in sys.modules; assert 'sklearn' not in sys.modules;"
        "assert len(logging.root.handlers) == before; print(ngep.__version__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
