"""How a Chinese notebook (notebooks/zh/NN_name.ipynb) must match its English twin (notebooks/NN_name.ipynb).

- The same cells in the same order, with the same cell types and the same cell tags.
- Code cells: the same Python tokens once comments are removed (so only comments may be translated), the same magic
  lines, and the same ``# NBVAL_*`` markers. The one exception is ``ZH_SETUP_LINE``, which the Chinese edition adds
  to its setup cell (the first code cell) to make the helpers speak Chinese.
- Text a reader reads, written in the edition's language like a comment: the message of an error a cell raises
  (``ValueError("...")``) and a figure's alt text (the string literals after the first argument of
  ``describe(fig, "...")``, see helpers/alt_text.py). The alt text is judged too: with Chinese characters in the
  Chinese edition, without them in the English one.
- Markdown cells: written in Chinese, judged by the share of Chinese characters among the letters of the cell once
  code, formulas, links and HTML are taken out; cells with almost no prose (a navigation line, a solution that is
  all code) are not judged.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ZH = NOTEBOOKS / "zh"
ZH_SETUP_LINE = 'helpers.set_language("zh")'
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MIN_CJK_SHARE = 0.5  # of the letters (CJK characters + Latin letters) in a cell's prose
MIN_LATIN_TO_JUDGE = 40  # Latin letters a cell's prose must have before its language is judged


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def twin(zh_notebook: Path) -> Path:
    return NOTEBOOKS / zh_notebook.name


def _tokens(code: str) -> list[tuple[int, str]]:
    """The cell's Python tokens without comments and blank-line tokens; magic lines (%, !) kept as text."""
    lines = [line if not line.lstrip().startswith(("%", "!")) else f"__magic__({line.strip()!r})"
             for line in code.splitlines()]
    tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
    return [(t.type, t.string) for t in tokens
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER)]


def _describe_text_spans(tokens: list[tuple[int, str]]) -> list[range]:
    """Where the text of each ``describe(target, "...")`` call lies: the string literals after its first argument."""
    spans = []
    for start in range(len(tokens) - 1):
        if tokens[start] != (tokenize.NAME, "describe") or tokens[start + 1] != (tokenize.OP, "("):
            continue
        depth, index = 0, start + 2
        while index < len(tokens) and not (depth == 0 and tokens[index][1] in (",", ")")):
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(tokens[index][1], 0)
            index += 1
        if index < len(tokens) and tokens[index][1] == ",":
            end = index + 1
            while end < len(tokens) and tokens[end][0] == tokenize.STRING:
                end += 1
            spans.append(range(index + 1, end))
    return spans


def describe_texts(code: str) -> list[str]:
    """The alt texts a cell gives its figures: the joined string literals of each ``describe(target, "...")``."""
    tokens = _tokens(code)
    return ["".join(_literal(tokens[i][1]) for i in span) for span in _describe_text_spans(tokens)]


def _literal(token: str) -> str:
    """A string literal's value; an f-string (no plain value) as written."""
    try:
        return str(ast.literal_eval(token))
    except (ValueError, SyntaxError):
        return token


def code_tokens(code: str) -> list[tuple[int, str]]:
    """The cell's Python tokens without comments and blank-line tokens; magic lines (%, !) kept as text.

    Two kinds of text, written in the edition's language like a comment, count as one placeholder token each: the
    message of an error the cell raises itself (the string literals right after ``SomethingError(``), and the alt
    text of a figure (the string literals after the first argument of ``describe(``).
    """
    kept = _tokens(code)
    alt = {i for span in _describe_text_spans(kept) for i in span}
    merged: list[tuple[int, str]] = []
    for index, (kind, text) in enumerate(kept):
        if index in alt:
            if index - 1 not in alt:
                merged.append((tokenize.STRING, "<alt text>"))
            continue
        after_error = len(merged) >= 2 and merged[-1] == (tokenize.OP, "(") and merged[-2][1].endswith("Error")
        if kind == tokenize.STRING and (after_error or merged[-1:] == [(tokenize.STRING, "<error message>")]):
            if merged[-1:] != [(tokenize.STRING, "<error message>")]:
                merged.append((tokenize.STRING, "<error message>"))
            continue
        merged.append((kind, text))
    return merged


def markers(code: str) -> list[str]:
    return re.findall(r"#\s*(NBVAL_[A-Z_]+)", code)


def prose(markdown: str) -> str:
    """A Markdown cell's prose: without code blocks, code spans, formulas, link targets, HTML tags and URLs."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"https?://\S+", " ", text)


def cjk_share(markdown: str) -> tuple[float, int]:
    """(share of CJK characters among the prose's letters, number of Latin letters in the prose)."""
    text = prose(markdown)
    cjk = len(CJK.findall(text))
    latin = sum(len(w) for w in LATIN_WORD.findall(text))
    return (cjk / (cjk + latin) if cjk + latin else 1.0), latin


def differences(zh_notebook: Path) -> list[str]:
    """Everything in which ``zh_notebook`` fails to mirror its English twin (empty: a faithful twin)."""
    english_path = twin(zh_notebook)
    if not english_path.exists():
        return [f"{zh_notebook.name} has no English twin {english_path.relative_to(ROOT)}"]
    zh, en = cells(zh_notebook), cells(english_path)
    found = []
    if [c["cell_type"] for c in zh] != [c["cell_type"] for c in en]:
        return [f"the cells differ in number or type: zh {[c['cell_type'][0] for c in zh]} vs "
                f"en {[c['cell_type'][0] for c in en]} (m = markdown, c = code)"]
    first_code = next((i for i, c in enumerate(en) if c["cell_type"] == "code"), None)
    for index, (z, e) in enumerate(zip(zh, en)):
        where = f"cell {index}"
        if sorted(z.get("metadata", {}).get("tags", [])) != sorted(e.get("metadata", {}).get("tags", [])):
            found.append(f"{where}: tags {z.get('metadata', {}).get('tags')} vs {e.get('metadata', {}).get('tags')}")
        if z["cell_type"] == "code":
            zh_code = source(z)
            if index == first_code:
                if ZH_SETUP_LINE not in zh_code.splitlines():
                    found.append(f"{where}: the setup cell needs the line {ZH_SETUP_LINE}")
                zh_code = "\n".join(line for line in zh_code.splitlines() if line.strip() != ZH_SETUP_LINE)
            try:
                same = code_tokens(zh_code) == code_tokens(source(e))
            except (tokenize.TokenError, IndentationError, SyntaxError) as error:
                found.append(f"{where}: cannot read the code ({error})")
                continue
            if not same:
                found.append(f"{where}: the code differs from the English cell (only comments may be translated)")
            if markers(zh_code) != markers(source(e)):
                found.append(f"{where}: NBVAL markers {markers(zh_code)} vs {markers(source(e))}")
            found += [f"{where}: the alt text of describe() is not in Chinese: {text[:60]!r}"
                      for text in describe_texts(zh_code) if not CJK.search(text)]
            found += [f"{where}: the English alt text of describe() has Chinese characters: {text[:60]!r}"
                      for text in describe_texts(source(e)) if CJK.search(text)]
        else:
            share, latin = cjk_share(source(z))
            if latin >= MIN_LATIN_TO_JUDGE and share < MIN_CJK_SHARE:
                found.append(f"{where}: reads as untranslated ({share:.0%} Chinese): {source(z)[:80]!r}")
    return found
