"""copper-mcp benchmarks: one module per figure, run together by ``python bench/run.py``.

Each figure module has one ``measure(options) -> Figure`` coroutine; ``bench/__main__.py`` lists them,
runs the selected ones and writes their rows and notes to BENCHMARKS.md.
"""
