"""Run the benchmarks and write BENCHMARKS.md: ``python bench/run.py [--quick]`` (the same as ``python -m bench``).

The figures live in this package, one module each; ``bench/__main__.py`` runs them.
"""

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a file, Python puts bench/ first on the path; the package and tests/ import from the repository.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    runpy.run_module("bench", run_name="__main__", alter_sys=False)
