"""tools/run_notebooks.py stores what a reader can use before running anything: widget text forms, finished bars."""

from __future__ import annotations

import importlib.util
import os

import nbformat
import pytest

from tests.test_browser import ROOT

spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)


def test_a_run_stores_widget_text_forms_and_a_finished_tqdm_bar(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SMOKE", os.environ.get("COURSE_SMOKE", "0"))  # run() sets it; restored after
    path = tmp_path / "widgets.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from tqdm.auto import tqdm\nfor _ in tqdm(range(8), desc='training'):\n    pass"),
        nbformat.v4.new_code_cell(
            "import ipywidgets as widgets\nfrom helpers.widgets.live import LiveBox\n"
            "LiveBox([widgets.IntSlider()], what='a test slider')"),
    ])
    nbformat.write(nb, path)
    run_notebooks.run(path, smoke=False, timeout=60)
    stored = nbformat.read(path, as_version=4)
    bar, box = ([o for o in cell.outputs if "data" in o] for cell in stored.cells)
    assert [list(o.data) for o in bar + box] == [["text/plain"], ["text/plain"]], "widget views are not stored"
    # tqdm pads with figure spaces (U+2007) in notebooks
    assert bar[0].data["text/plain"].replace("\u2007", " ").startswith("training: 100%|██████████|  8/8 [")
    assert box[0].data["text/plain"].startswith("[Interactive: a test slider. Run this cell to use it.")
    assert "widgets" not in stored.metadata


def test_only_tqdm_shaped_boxes_become_bars():
    state = {
        "box": {"_model_name": "HBoxModel", "children": ["IPY_MODEL_l", "IPY_MODEL_p", "IPY_MODEL_r"]},
        "l": {"_model_name": "HTMLModel", "value": "epoch 1:  50%"},
        "p": {"_model_name": "FloatProgressModel", "value": 2, "max": 4},
        "r": {"_model_name": "HTMLModel", "value": " 2/4 [00:01&lt;00:01]"},
        "other": {"_model_name": "VBoxModel", "children": ["IPY_MODEL_p"]},
    }
    assert run_notebooks.finished_bar_text("box", state) == "epoch 1:  50%|█████     |  2/4 [00:01<00:01]"
    assert run_notebooks.finished_bar_text("other", state) is None
    assert run_notebooks.finished_bar_text("missing", state) is None


@pytest.mark.parametrize("bad", ["notebooks/missing.ipynb", "README.md"])
def test_bad_paths_are_refused(bad, capsys):
    with pytest.raises(SystemExit):
        run_notebooks.main([str(ROOT / bad)])
    assert "expected an existing .ipynb file" in capsys.readouterr().err
