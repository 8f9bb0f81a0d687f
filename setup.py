# SPDX-License-Identifier: BSD-3-Clause
"""The C extension only: metadata is in setup.cfg, build settings in pyproject.toml.

``ngep.io._cswc`` is the SWC table parser in C, an optional speed-up of
:mod:`ngep.io` (reading SWC files is 2-3 times faster than with pandas'
parser). It is ``optional``: where no C compiler is found the build goes on
without it and ``ngep.io`` uses its Python parsers, with the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("ngep.io._cswc", sources=["ngep/io/_cswc.c"],
                  depends=["ngep/io/_cswc_pow10.h"], optional=True),
    ],
)
