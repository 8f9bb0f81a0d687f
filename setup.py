# SPDX-License-Identifier: BSD-3-Clause
"""The C extensions only: metadata is in setup.cfg, build settings in pyproject.toml.

``ngep.io._cswc`` reads SWC files in C, an optional speed-up of :mod:`ngep.io`:
the table parser (2-3 times faster than pandas' parser), the one-call reader and,
from ``_ctree.c``, path sums and roots of a tree (the numpy algorithm's
additions, in its order). ``ngep.morphometrics._ckernel`` computes groups of
catalogue features in C. Both are ``optional``: where no C compiler is found the
build goes on without them and ngep uses its Python code, with the same results.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    """Compile each floating-point operation as written (no fused multiply-add).

    The C code must round as numpy's element-wise operations do (one rounding per
    operation), so that comparisons decide as in the Python code; gcc and clang
    may otherwise fuse ``a * b + c`` on targets with FMA (aarch64 by default).
    """

    def build_extensions(self):
        if self.compiler.compiler_type in ("unix", "mingw32", "cygwin"):
            for ext in self.extensions:
                ext.extra_compile_args.append("-ffp-contract=off")
        super().build_extensions()


setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=[
        Extension("ngep.io._cswc", sources=["ngep/io/_cswc.c", "ngep/io/_ctree.c"],
                  depends=["ngep/io/_cswc_pow10.h", "ngep/io/_ctree.h"],
                  optional=True),
        Extension(
            "ngep.morphometrics._ckernel",
            sources=["ngep/morphometrics/_kernel.c",
                     "ngep/morphometrics/_kernel_tree.c",
                     "ngep/morphometrics/_kernel_shape.c",
                     "ngep/morphometrics/_kernel_frame.c"],
            depends=["ngep/morphometrics/_kernel.h"], optional=True,
        ),
    ],
)
