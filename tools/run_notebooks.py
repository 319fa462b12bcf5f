"""Re-run notebooks top to bottom and store their outputs (for course authors: `make outputs`).

Stored outputs must come from a real run, never from smoke mode. Where a real run is
impossible on the author's machine (no network for a dataset), ``--smoke`` runs the notebook
in smoke mode and then clears the output of every ``# NBVAL_IGNORE_OUTPUT`` cell, so only
outputs that do not depend on the data are kept; a learner never reads smoke results.

Widgets are stored as their text form only: no live widget can be shown before the cell runs, so a
reader sees the course's "[Interactive: ... Run this cell to use it ...]" line (or, for a tqdm bar,
the finished bar) instead of a broken view, and the notebook keeps no widget state.

Usage:
    python tools/run_notebooks.py                       # every notebook, real run
    python tools/run_notebooks.py notebooks/01_*.ipynb  # some of them
    python tools/run_notebooks.py --smoke notebooks/06_cifar10_classifier.ipynb
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
IGNORE_MARK = "NBVAL_IGNORE_OUTPUT"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
BAR_WIDTH = 10


def finished_bar_text(model_id: str, state: dict[str, dict[str, Any]]) -> str | None:
    """Return a tqdm bar's last state as text ('training: 100%|██████████| 8/8 [...]'), None if not a tqdm bar.

    tqdm draws a notebook bar as an HBox of an HTML (left text), a FloatProgress and an HTML (right text);
    its stored text form is the bar at the moment it was displayed (0%), which reads as stuck.
    """
    box = state.get(model_id, {})
    parts = [state.get(str(ref).removeprefix("IPY_MODEL_"), {}) for ref in box.get("children", [])]
    kinds = [part.get("_model_name") for part in parts]
    if box.get("_model_name") != "HBoxModel" or kinds != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, bar, right = parts
    top = bar.get("max") or 0
    filled = round(BAR_WIDTH * min(max(bar.get("value", 0) / top, 0), 1)) if top else 0
    meter = "█" * filled + " " * (BAR_WIDTH - filled)
    return f"{html.unescape(left.get('value', ''))}|{meter}| {html.unescape(right.get('value', ''))}".strip()


def store_widgets_as_text(nb: Any, state: dict[str, dict[str, Any]]) -> None:
    """Drop widget views and widget state from a run notebook, keeping each widget's text form."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            view = output.get("data", {}).pop(WIDGET_VIEW, None)
            if view is not None and (text := finished_bar_text(view.get("model_id", ""), state)):
                output["data"]["text/plain"] = text
    nb.metadata.pop("widgets", None)


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
        store_widget_state=True,  # collected to write finished tqdm bars; not kept in the notebook
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    store_widgets_as_text(nb, client.widget_state)
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
