"""The Chinese edition (notebooks/zh/) mirrors the English one cell by cell: code, markers, exercises and outputs.

See tests/zh_parity.py for the rules. Only the setup line ``helpers.set_language("zh")`` may differ in the code.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from helpers.i18n import display_width
from tests.test_i18n import chinese_style_problems
from tests.zh_parity import CJK, ZH, ZH_SETUP_LINE, cells, describe_texts, differences, markers, source, twin

ZH_NOTEBOOKS = sorted(ZH.glob("*.ipynb"))
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _texts(output: dict, raw: bool = False) -> list[str]:
    """The text of one output (stream text, or text/plain of a result), as sanitized lines (raw: as stored)."""
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    else:
        text = output.get("data", {}).get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    if raw:
        return [text]
    for pattern, replacement in _sanitizers():
        text = pattern.sub(replacement, text)
    return text.splitlines()


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    """The regex/replace pairs of tests/nbval_sanitize.cfg, which nbval applies to outputs before comparing."""
    import configparser

    config = configparser.ConfigParser()
    config.read(Path(__file__).with_name("nbval_sanitize.cfg"), encoding="utf-8")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _coalesced(outputs: list[dict]) -> list[dict]:
    """Outputs with consecutive stream chunks of the same stream joined (how they are split depends on timing)."""
    merged: list[dict] = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1] = {**merged[-1], "text": "".join(_texts(merged[-1], raw=True)) + "".join(_texts(output, raw=True))}
        else:
            merged.append(output)
    return merged


def output_differences(zh_notebook) -> list[str]:
    """Where the stored outputs of the two editions disagree, in cells whose outputs nbval checks.

    A line may differ only where the Chinese line is a helper's line in Chinese (it has CJK characters) carrying
    the same numbers as the English line.
    """
    found = []
    for index, (z, e) in enumerate(zip(cells(zh_notebook), cells(twin(zh_notebook)))):
        if z["cell_type"] != "code" or "NBVAL_IGNORE_OUTPUT" in markers(source(e)):
            continue
        zo, eo = _coalesced(z.get("outputs", [])), _coalesced(e.get("outputs", []))
        if [o.get("output_type") for o in zo] != [o.get("output_type") for o in eo]:
            found.append(f"cell {index}: outputs {[o.get('output_type') for o in zo]} vs {[o.get('output_type') for o in eo]}")
            continue
        for zout, eout in zip(zo, eo):
            if sorted(zout.get("data", {})) != sorted(eout.get("data", {})):
                found.append(f"cell {index}: output kinds {sorted(zout.get('data', {}))} vs {sorted(eout.get('data', {}))}")
            for kind in ("image/png", "image/svg+xml"):
                if zout.get("data", {}).get(kind) != eout.get("data", {}).get(kind):
                    found.append(f"cell {index}: the {kind} images differ")
            zl, el = _texts(zout), _texts(eout)
            if len(zl) != len(el):
                found.append(f"cell {index}: {len(zl)} lines of output vs {len(el)}")
                continue
            for zline, eline in zip(zl, el):
                if zline == eline:
                    continue
                if not re.search(f"[{CJK.pattern[1:-1]}]", zline):
                    found.append(f"cell {index}: {zline!r} vs {eline!r}")
                elif sorted(NUMBER.findall(zline)) != sorted(NUMBER.findall(eline)):
                    found.append(f"cell {index}: the numbers differ: {zline!r} vs {eline!r}")
    return found


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_the_chinese_notebook_mirrors_its_english_twin(notebook):
    found = differences(notebook)
    assert not found, f"{notebook.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_agree_with_the_english_twin(notebook):
    found = output_differences(notebook)
    assert not found, f"{notebook.name}: the stored outputs drifted apart (run both editions again):\n" + "\n".join(found)


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_the_twins_link_to_each_other_at_the_top(notebook):
    zh_top, en_top = source(cells(notebook)[0]), source(cells(twin(notebook))[0])
    assert f"](../{notebook.name})" in zh_top, f"zh/{notebook.name} must link to its English twin at the top"
    assert f"](zh/{notebook.name})" in en_top, f"{notebook.name} must link to its Chinese twin at the top"


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_the_prose_follows_the_chinese_writing_rules(notebook):
    found = []
    for index, cell in enumerate(cells(notebook)):
        if cell["cell_type"] == "markdown":
            text = re.sub(r"```.*?```", " ", source(cell), flags=re.DOTALL)
            text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are paths, not prose
            found += [f"cell {index}: {problem}" for problem in chinese_style_problems(text)]
    assert not found, f"{notebook.name}:\n" + "\n".join(found)


def _join_tool():
    """tools/join_cjk_lines.py, loaded as a module (tools/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("join_cjk_lines", ZH.parent.parent / "tools" / "join_cjk_lines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_no_line_break_falls_between_chinese_characters(notebook):
    """Chrome shows a soft line break between two Chinese characters as a gap: tools/join_cjk_lines.py joins them."""
    module = _join_tool()
    broken = [i for i, c in enumerate(cells(notebook))
              if c["cell_type"] == "markdown" and module.join_soft_breaks(source(c)) != source(c)]
    assert not broken, f"{notebook.name}: cells {broken}: run  python tools/join_cjk_lines.py {notebook.relative_to(ZH.parent.parent)}"


def test_the_parity_check_can_fail(tmp_path, monkeypatch):
    import tests.zh_parity as parity

    english = twin(ZH_NOTEBOOKS[0])
    data = json.loads(ZH_NOTEBOOKS[0].read_text(encoding="utf-8"))
    monkeypatch.setattr(parity, "NOTEBOOKS", english.parent)

    def broken(change) -> list[str]:
        changed = copy.deepcopy(data)
        change(changed["cells"])
        path = tmp_path / english.name
        path.write_text(json.dumps(changed), encoding="utf-8")
        return differences(path)

    code = [i for i, c in enumerate(data["cells"]) if c["cell_type"] == "code"]
    markdown = [i for i, c in enumerate(data["cells"]) if c["cell_type"] == "markdown"]
    assert broken(lambda cs: None) == []
    assert "the code differs" in broken(lambda cs: cs[code[-1]].update(source=source(cs[code[-1]]) + "\nx = 1"))[0]
    assert "setup cell needs" in broken(lambda cs: cs[code[0]].update(
        source=source(cs[code[0]]).replace(ZH_SETUP_LINE, "")))[0]
    assert "untranslated" in broken(lambda cs: cs[markdown[1]].update(source=source(twin_cells()[markdown[1]])))[0]
    assert "number or type" in broken(lambda cs: cs.pop(markdown[-1]))[0]
    # comments may be translated: a changed comment is no difference
    assert broken(lambda cs: cs[code[-1]].update(source=source(cs[code[-1]]) + "  # 注释")) == []


def test_the_alt_text_rule_can_fail(tmp_path):
    """describe()'s text is translated like a comment, but the code around it must stay the same."""
    zh_path = ZH / "01_tensors.ipynb"
    data = json.loads(zh_path.read_text(encoding="utf-8"))
    index = next(i for i, c in enumerate(data["cells"]) if "describe(fig, " in source(c))

    def broken(old: str, new: str) -> list[str]:
        changed = copy.deepcopy(data)
        cell = changed["cells"][index]
        assert old in source(cell)
        cell["source"] = source(cell).replace(old, new)
        path = tmp_path / "zh" / zh_path.name
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(changed), encoding="utf-8")
        return differences(path)

    assert broken("describe(fig, ", "describe(fig, ") == [], "the Chinese text beside the English one is no difference"
    assert "the code differs" in broken("describe(fig, ", "describe(axes[0], ")[0]
    assert "the code differs" in broken("describe(fig, ", "describe(fig, sep=")[0]
    assert "the code differs" in broken("plt.show()", "plt.show(); describe")[0]
    # the English alt text left untranslated in the Chinese edition
    call = re.compile(r"describe\(fig, .*?\)\n", re.DOTALL)
    english = call.search(source(cells(twin(zh_path))[index])).group(0)
    found = broken(call.search(source(data["cells"][index])).group(0), english)
    assert len(found) == 1, found
    assert found[0].startswith(f"cell {index}: the alt text of describe() is not in Chinese: 'Two histograms"), found


def test_alt_texts_in_the_notebooks_follow_the_chinese_writing_rules():
    found = [f"{notebook.name}, cell {i}: {problem}" for notebook in ZH_NOTEBOOKS
             for i, cell in enumerate(cells(notebook)) if cell["cell_type"] == "code"
             for text in describe_texts(source(cell)) for problem in chinese_style_problems(text)]
    assert not found, "\n".join(found)


def twin_cells() -> list[dict]:
    return cells(twin(ZH_NOTEBOOKS[0]))


def widest_english_line() -> int:
    """The widest code line of the English edition, which the browser test checks fits JupyterLab's cells."""
    return max(display_width(line) for notebook in ZH_NOTEBOOKS for cell in cells(twin(notebook))
               if cell["cell_type"] == "code" for line in source(cell).splitlines())


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.name)
def test_chinese_comments_keep_code_lines_within_the_english_width(notebook):
    # The browser test drives only the Chinese start page; a Chinese comment is about twice as wide per character
    # as English, so hold every Chinese code line to the width the English edition is proven to fit.
    limit = widest_english_line()
    wide = [f"cell {i}: {display_width(line)} columns: {line.strip()[:60]!r}"
            for i, cell in enumerate(cells(notebook)) if cell["cell_type"] == "code"
            for line in source(cell).splitlines() if display_width(line) > limit]
    assert not wide, f"zh/{notebook.name}: code lines wider than the English edition's widest ({limit}): {wide}"


def test_display_width_counts_chinese_characters_twice():
    assert display_width("x = 1  # 注释") == len("x = 1  # ") + 4


CHINESE_MARKDOWN = sorted(ZH.parent.parent.glob("*.zh-CN.md")) + sorted(ZH.glob("*.md"))


@pytest.mark.parametrize("document", CHINESE_MARKDOWN, ids=lambda p: p.name)
def test_no_line_break_falls_between_chinese_characters_in_the_chinese_documents(document):
    """The same rule for the Chinese README, TEACHING.zh-CN.md and the glossary."""
    module = _join_tool()
    text = document.read_text(encoding="utf-8")
    assert module.join_soft_breaks(text) == text, f"run  python tools/join_cjk_lines.py {document.name}"


def test_the_chinese_documents_are_found():
    assert {"README.zh-CN.md", "TEACHING.zh-CN.md", "术语表.md"} <= {p.name for p in CHINESE_MARKDOWN}


@pytest.mark.parametrize(("text", "joined"), [
    ("一共八个笔记本。每个都是一堂要\n*动手运行*的课", "一共八个笔记本。每个都是一堂要*动手运行*的课"),
    ("先读**说明**\n再运行。", "先读**说明**再运行。"),
    ("把下载的\n`cifar-10-python.tar.gz` 放好", "把下载的\n`cifar-10-python.tar.gz` 放好"),  # a space before code is right
    ("an English\n*emphasis* stays", "an English\n*emphasis* stays"),
    ("说明：\n\n- 列表", "说明：\n\n- 列表"),
])
def test_soft_breaks_are_joined_only_between_chinese_characters(text, joined):
    module = _join_tool()
    assert module.join_soft_breaks(text) == joined
