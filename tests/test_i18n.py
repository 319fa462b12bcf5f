"""The helpers speak English or Chinese: helpers.i18n, and the zh_CN catalog that tools/messages.py maintains."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path

import pytest

import helpers
from helpers import i18n

ROOT = Path(__file__).resolve().parent.parent
CJK = "\u3400-\u4dbf\u4e00-\u9fff"


def _tool():
    spec = importlib.util.spec_from_file_location("messages", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def chinese():
    helpers.set_language("zh")
    yield
    helpers.set_language("en")


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _sample_values(text: str) -> dict[str, object]:
    """A value for each placeholder that suits its format spec: 1.5 for {x:.3g}, 1 for {n:,d}, "v" otherwise."""
    values: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is None:
            continue
        kind = spec[-1:] if spec else ""
        values[name] = 1.5 if kind in tuple("eEfFgGn%") else 1 if kind in tuple("dxXob") or "," in spec else "v"
    return values


def chinese_style_problems(text: str) -> list[str]:
    """Where Chinese text breaks the course's rules: ASCII punctuation in Chinese prose, no space before/after Latin,
    parentheses inside parentheses.

    Code spans (`...`) and placeholders ({name}) count as Latin text; URLs and file paths are left alone.
    """
    plain = re.sub(r"`[^`]*`", "`c`", text)
    plain = re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*(![rsa])?(:[^{}]*)?\}", "X", plain)
    plain = re.sub(r"https?://\S+", "URL", plain)
    found = []
    for pattern, what in [
        (rf"[{CJK}][,;:?!]|[,;:?!][{CJK}]", "ASCII punctuation next to Chinese (use ，；：？！)"),
        (rf"[{CJK}]\.(\s|$)", "an ASCII full stop after Chinese (use 。)"),
        (rf"[{CJK}]\(|\)[{CJK}]", "ASCII parentheses next to Chinese (use （）)"),
        (rf"[{CJK}][A-Za-z0-9`X]|[A-Za-z0-9`X][{CJK}]", "no half-width space between Chinese and Latin text or code"),
        (r"\d %", "a space before % in Chinese text (write 54%, as Chinese typesetting does)"),
    ]:
        for match in re.finditer(pattern, plain):
            start = max(match.start() - 8, 0)
            found.append(f"{what}: …{plain[start:match.end() + 8]}…")
    depth = 0
    for index, char in enumerate(plain):  # （…（…）…） reads badly: say it in two sentences, or with a comma
        depth += {"（": 1, "）": -1}.get(char, 0)
        if char == "（" and depth == 2:
            found.append(f"nested full-width parentheses: …{plain[max(index - 12, 0):index + 12]}…")
        depth = max(depth, 0)
    return found


def test_english_is_the_default_and_unknown_languages_are_refused():
    assert i18n.get_language() == "en"
    assert i18n._("well done!") == "well done!"
    with pytest.raises(ValueError, match="one of"):
        helpers.set_language("fr")


def test_chinese_is_selected_in_the_running_kernel_and_back(chinese):
    assert i18n.get_language() == "zh"
    assert re.search(f"[{CJK}]", i18n._("well done!"))
    assert i18n._("a message no catalog has") == "a message no catalog has"
    helpers.set_language("en")
    assert i18n._("well done!") == "well done!"


def test_the_chinese_catalog_is_complete_current_and_compiled():
    problems = _tool().problems("zh_CN")
    assert not problems, "\n".join(problems)


def test_translations_keep_every_placeholder_and_format():
    catalog = _tool().read_catalog("zh_CN")
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        if _fields(message.id) != _fields(message.string):
            broken.append(f"{message.id!r}: placeholders {_fields(message.id)} became {_fields(message.string)}")
            continue
        try:
            message.string.format(**_sample_values(message.id))
        except (KeyError, IndexError, ValueError) as error:
            broken.append(f"{message.string!r}: .format fails ({error})")
    assert not broken, "\n".join(broken)


def test_translations_follow_the_chinese_writing_rules():
    catalog = _tool().read_catalog("zh_CN")
    found = [f"{m.string!r}: {p}" for m in catalog if m.id and m.string for p in chinese_style_problems(m.string)]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:40])


@pytest.mark.parametrize(("text", "ok"), [
    ("把 `x` 改成 {name}，再运行一次。", True),
    ("学习率是 0.1。", True),
    ("学习率是0.1。", False),
    ("再运行一次.", False),
    ("张量,梯度", False),
    ("用 x.view(-1)（不是 reshape）", True),
    ("形状是{shape}", False),
    ("还不对（附带提示（hint））", False),
    ("准确率大约是 54 %。", False),
    ("准确率大约是 54%。", True),
    ("还不对，后面附带提示（hint）。（这是括号）", True),
])
def test_the_style_check_can_fail(text, ok):
    assert (chinese_style_problems(text) == []) is ok


def _assigned_names(tree) -> list[tuple[str, int]]:
    import ast

    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, (ast.For, ast.comprehension)):
            targets = [node.target]
        elif isinstance(node, ast.With):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        for target in targets:
            found += [(n.id, n.lineno) for n in ast.walk(target) if isinstance(n, ast.Name)]
    return found


def test_no_helper_function_hides_the_translation_function_behind_a_variable_named_underscore():
    """`for _ in ...` or `a, _ = ...` in a function makes _ local there: its _("...") then fails at run time."""
    import ast

    found = []
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "from helpers.i18n import _" not in source:
            continue
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                        for n in ast.walk(function))
            if calls:
                found += [f"{path.relative_to(ROOT)}:{line} ({function.name})"
                          for name, line in _assigned_names(function) if name == "_"]
    assert not found, "rename these throwaway variables (e.g. _step): " + ", ".join(found)


def test_display_width_and_pad_line_up_chinese_and_english():
    from helpers.i18n import display_width, pad

    assert display_width("lr") == 2 and display_width("学习率") == 6 and display_width("✅") == 2
    assert pad("学习率", 8) == "学习率  " and pad("lr", 8) == "lr      " and pad("too long", 3) == "too long"


def _catalog_holding(tmp_path, content: bytes):
    folder = tmp_path / "helpers" / "locale"
    (folder / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "zh_CN" / "LC_MESSAGES" / "course.mo").write_bytes(content)
    return folder


@pytest.mark.parametrize("content", [b"", b"not a catalog", b"\xde\x12\x04\x95\x00\x00"], ids=["empty", "text", "cut"])
def test_a_corrupt_catalog_falls_back_to_english_with_a_warning(tmp_path, monkeypatch, content):
    monkeypatch.setattr(i18n, "LOCALE_DIR", _catalog_holding(tmp_path, content))
    with pytest.warns(i18n.CatalogWarning, match="make translations") as caught:
        helpers.set_language("zh")
    message = str(caught[0].message)
    assert "helpers/locale/zh_CN/LC_MESSAGES/course.mo" in message and str(tmp_path) not in message
    assert i18n.get_language() == "en" and i18n._("well done!") == "well done!"
    monkeypatch.undo()
    helpers.set_language("zh")  # once the catalog is whole again, Chinese comes back
    try:
        assert i18n.get_language() == "zh" and re.search(f"[{CJK}]", i18n._("well done!"))
    finally:
        helpers.set_language("en")


def test_the_broken_catalog_message_follows_the_chinese_writing_rules():
    """It cannot come from the catalog (that is what is broken), so its Chinese half is checked here."""
    chinese = i18n._BROKEN_CATALOG.split("\n")[0]
    assert re.search(f"[{CJK}]", chinese) and chinese_style_problems(chinese) == []
    assert _fields(chinese) == _fields(i18n._BROKEN_CATALOG.split("\n")[1])


def test_a_missing_catalog_is_still_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="make translations"):
        helpers.set_language("zh")
    assert i18n.get_language() == "en"
