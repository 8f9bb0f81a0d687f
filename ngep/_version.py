# SPDX-License-Identifier: BSD-3-Clause
"""The single source of ngep's version (read by setup.cfg and ``ngep.__version__``)."""

__version__ = "0.1.0"
