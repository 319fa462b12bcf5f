"""Re-run notebooks top to bottom and store their outputs (for course authors: `make outputs`).

Stored outputs must come from a real run, never from smoke mode. Where a real run is
impossible on the author's machine (no network for a dataset), ``--smoke`` runs the notebook
in smoke mode and then clears the output of every ``# NBVAL_IGNORE_OUTPUT`` cell, so only
outputs that do not depend on the data are kept; a learner never reads smoke results.

Usage:
    python tools/run_notebooks.py                       # every notebook, real run
    python tools/run_notebooks.py notebooks/01_*.ipynb  # some of them
    python tools/run_notebooks.py --smoke notebooks/06_cifar10_classifier.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
IGNORE_MARK = "NBVAL_IGNORE_OUTPUT"


def run(path: Path, smoke: bool, timeout: int) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    os.environ.pop("COURSE_SMOKE", None)
    if smoke:
        os.environ["COURSE_SMOKE"] = "1"
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if smoke and IGNORE_MARK in cell.source:
            cell.outputs = []
            cell.execution_count = None
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if errors and "NBVAL_RAISES_EXCEPTION" not in cell.source:
            raise SystemExit(f"{path}: a cell raised {errors[0].ename}: {errors[0].evalue}; not saving")
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--smoke", action="store_true", help="run in smoke mode; keep no output of ignored cells")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"expected an existing .ipynb file, got {str(path)!r}")
    for path in paths:
        seconds = run(path, args.smoke, args.timeout)
        print(f"{path}: ran in {seconds:.1f} s{' (smoke mode; ignored cells cleared)' if args.smoke else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
