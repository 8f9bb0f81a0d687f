# SPDX-License-Identifier: BSD-3-Clause
"""Assemble ``docs/benchmarks.md`` from the section files in ``docs/benchmarks/``.

Each benchmark script writes one Markdown section file (its table, the machine it
ran on and the one command that regenerates it) to ``docs/benchmarks/<name>.md``.
This script puts them on one page, in a fixed order (unknown sections last,
alphabetically), after a short introduction:

* each section's headings are demoted by one level (its ``#`` title becomes a
  ``##`` section of the page); lines inside code fences are left alone;
* a MyST label ``(bench-<name>)=`` is put before each section, so that other
  pages can link to it with ``:ref:`bench-<name>```;
* relative links and images (``![plot](io_scaling.png)``) are rewritten to
  point into ``benchmarks/``.

The section files themselves are excluded from the Sphinx build (``conf.py``), so
every table is rendered exactly once. Run from anywhere::

    python benchmarks/collect.py            # writes docs/benchmarks.md
    python benchmarks/collect.py --check    # exit 1 if docs/benchmarks.md is stale
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ROOT / "docs" / "benchmarks"
OUTPUT = ROOT / "docs" / "benchmarks.md"

# Order of the page: the user's path through the library.
ORDER = (
    "demo", "io", "formats", "extract", "datasets", "models", "accuracy", "conventions",
    "transfer", "contrast",
)

INTRO = """\
# Benchmarks

Every number ngep's documentation quotes about speed, memory or accuracy, with the
machine it was measured on and the one command that regenerates it. The scripts
live in `benchmarks/` (plain scripts, not tests: run them by hand, once, on a
quiet machine); each writes its section file to `docs/benchmarks/`, and
`python benchmarks/collect.py` assembles this page from them.

Most numbers were measured on a shared 2-core virtual machine while other jobs
were running: compare rows within a table (measured in the same run), not absolute
numbers across tables or with your machine.

Sections:

{toc}
"""

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,5}) ")
# Markdown links/images with a relative target (not http:, not #anchor, not /abs).
_LINK = re.compile(r"(!?\[[^\]]*\]\()(?!https?:|#|/|mailto:)([^)\s]+)(\))")


def _title(text, fallback):
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return line[2:].strip()
    return fallback


def _section(path):
    """Return (label, title, body) for one section file, demoted and re-linked."""
    name = path.stem
    text = path.read_text(encoding="utf-8")
    out, in_fence = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            if _HEADING.match(line):
                line = "#" + line
            line = _LINK.sub(
                lambda m: f"{m.group(1)}benchmarks/{m.group(2)}{m.group(3)}", line
            )
        out.append(line)
    if in_fence:
        raise ValueError(
            f"{path}: unclosed code fence; close it with ``` on its own line."
        )
    body = "\n".join(out).strip()
    if not body.startswith("## "):
        body = f"## {name}\n\n{body}"
    return f"bench-{name}", _title(text, name), body


def _sort_key(path):
    name = path.stem
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def collect(sections_dir=SECTIONS):
    """Return the text of the assembled benchmarks page."""
    files = sorted(Path(sections_dir).glob("*.md"), key=_sort_key)
    if not files:
        raise FileNotFoundError(f"no section files (*.md) in {sections_dir}")
    parts = [_section(f) for f in files]
    toc = "\n".join(f"- {{ref}}`{label}`" for label, _, _ in parts)
    page = [INTRO.format(toc=toc)]
    for label, _, body in parts:
        page.append(f"({label})=\n{body}\n")
    return "\n".join(page)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the page is not up to date instead of writing it",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = collect()
    if args.check:
        current = (
            args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        )
        if current != text:
            print(
                f"{args.output} is stale: run python benchmarks/collect.py",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
