"""Run the benchmark modules in this folder, in name order: all of them, or those whose names start
with the words given (`python -m bench assessment` runs bench/assessment_export.py)."""

import importlib
import pkgutil
import sys

import bench


def main(names: list[str] | None = None) -> None:
    names = sys.argv[1:] if names is None else names
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or (names and not module.name.startswith(tuple(names))):
            continue
        importlib.import_module(f"bench.{module.name}").main()


if __name__ == "__main__":
    main()
