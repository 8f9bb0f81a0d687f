# SPDX-License-Identifier: BSD-3-Clause
"""The ``ngep`` command line.

``ngep --help`` answers without importing torch, scikit-learn or matplotlib: every
sub-command handler imports what it needs when it runs. User errors (a missing path,
a malformed SWC, a missing target column, ids that do not match between a folder and
a table, an unwritable output) print one line on stderr and exit with code 2; pass
``--debug`` for the full traceback.
"""

from ngep.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
