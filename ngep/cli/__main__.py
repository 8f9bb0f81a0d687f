# SPDX-License-Identifier: BSD-3-Clause
"""``python -m ngep.cli`` runs the ``ngep`` command line."""

import sys

from ngep.cli import main

if __name__ == "__main__":
    sys.exit(main())
