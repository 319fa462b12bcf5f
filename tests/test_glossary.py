"""The Chinese edition uses one translation per term, the one in notebooks/zh/术语表.md, and glosses it at first use.

- No "不要写成" variant appears anywhere in the Chinese edition (its notebooks, README.zh-CN, TEACHING.zh-CN and
  the helpers' zh_CN catalog).
- Where a Chinese notebook writes 中文（English）, the Chinese is the glossary's for that English term.
- Each notebook gives the English in parentheses where its prose first uses a term: 张量（tensor）.
- Every term is used in the Chinese twin of the notebook that introduces it, once that twin exists.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "notebooks" / "zh"
GLOSSARY = ZH / "术语表.md"
GLOSS = re.compile(r"([\u3400-\u9fff][\u3400-\u9fff-]*)（([A-Za-z][^（）]*)）")


@dataclass(frozen=True)
class Term:
    english: str  # as written, with its qualifier: "kernel (Jupyter)"
    chinese: str
    notebook: str
    avoid: tuple[str, ...]

    @property
    def head(self) -> str:
        """The English term without its qualifier in parentheses: "kernel"."""
        return re.sub(r"\s*\(.*\)$", "", self.english).lower()


def terms() -> list[Term]:
    rows = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    found = []
    for row in rows[1:]:  # the first row is the header
        cells = [c.strip() for c in row.strip("|").split("|")]
        english, chinese, notebook, avoid = (cells + [""] * 4)[:4]
        found.append(Term(english, chinese, notebook, tuple(a for a in re.split(r"[、,，]\s*", avoid) if a)))
    return found


def _prose(notebook: Path) -> str:
    """A Chinese notebook's Markdown and its code comments (where Chinese is written), without code spans."""
    parts = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            text = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
        parts.append(re.sub(r"`[^`]*`", " ", re.sub(r"```.*?```", " ", text, flags=re.DOTALL)))
    return "\n".join(parts)


def _catalog_text() -> str:
    spec = importlib.util.spec_from_file_location("messages", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return "\n".join(m.string for m in module.read_catalog("zh_CN") if m.id and m.string)


def without_longer_terms(text: str, term: Term, entries: list[Term]) -> str:
    """``text`` with every longer term that contains ``term`` blanked out: 批量 is not found in 批量大小 (a longer
    glossary term), nor 参数 in 位置参数（positional argument）, a glossed term of its own (but 池化 is in
    最大池化（max pooling）)."""
    for other in sorted(entries, key=lambda t: -len(t.chinese)):
        if term.chinese in other.chinese and other.chinese != term.chinese:
            text = text.replace(other.chinese, " " * len(other.chinese))

    def other_term(match: re.Match) -> str:
        chinese, english = match.group(1), match.group(2)
        if term.chinese in chinese and chinese != term.chinese and term.head not in english.lower():
            return " " * len(match.group(0))
        return match.group(0)

    return re.sub(r"([\u3400-\u9fff][\u3400-\u9fff-]*)\**（([A-Za-z][^（）]*)）", other_term, text)


def zh_notebooks() -> list[Path]:
    return sorted(ZH.glob("*.ipynb"))


def test_the_glossary_is_well_formed():
    entries = terms()
    assert len(entries) >= 50
    numbers = {p.name[:2] for p in (ROOT / "notebooks").glob("*.ipynb")}
    bad = [t.english for t in entries if not t.chinese or t.notebook not in numbers]
    assert not bad, f"entries without a Chinese term or with an unknown notebook: {bad}"
    duplicates = {t.chinese for t in entries if [u.chinese for u in entries].count(t.chinese) > 1}
    assert not duplicates, f"two English terms share a Chinese translation: {duplicates}"


def test_no_avoided_variant_is_used():
    documents = {p.name: re.sub(r"`[^`]*`", " ", p.read_text(encoding="utf-8"))
                 for p in (ROOT / "README.zh-CN.md", ROOT / "TEACHING.zh-CN.md")}
    texts = {p.name: _prose(p) for p in zh_notebooks()} | {"helpers' zh_CN catalog": _catalog_text()} | documents
    found = [f"{where}: {variant} (write {t.chinese} for {t.english})"
             for t in terms() for variant in t.avoid for where, text in texts.items() if variant in text]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("notebook", zh_notebooks(), ids=lambda p: p.name)
def test_glosses_match_the_glossary(notebook):
    by_head: dict[str, set[str]] = {}
    for t in terms():
        by_head.setdefault(t.head, set()).add(t.chinese)
    found = []
    for chinese, english in GLOSS.findall(_prose(notebook)):
        allowed = by_head.get(english.strip().lower())
        if allowed and not any(chinese.endswith(c) for c in allowed):
            found.append(f"{chinese}（{english}）: the glossary says {' or '.join(sorted(allowed))}（{english}）")
    assert not found, "\n".join(found)


def running_prose(notebook: Path) -> str:
    """The prose where a reader meets a term: without headings and tables (a notebook's table of contents names
    terms without explaining them) and without link labels (titles)."""
    text = "\n".join(line for line in _prose(notebook).splitlines() if not line.lstrip().startswith(("#", "|")))
    return re.sub(r"\[[^\]\n]*\]\([^)\n]*\)", " ", text)


@pytest.mark.parametrize("notebook", zh_notebooks(), ids=lambda p: p.name)
def test_each_term_is_glossed_where_the_notebook_first_uses_it(notebook):
    text = running_prose(notebook)
    found = []
    entries = terms()
    for t in entries:
        if len(t.chinese) < 2:  # a one-character term (轮) also occurs inside other words: not searched for
            continue
        first = without_longer_terms(text, t, entries).find(t.chinese)
        if first < 0:
            continue
        after = text[first + len(t.chinese):first + len(t.chinese) + 40]
        if not re.match(r"\**（[A-Za-z]", after):
            found.append(f"{t.chinese}: first used without its English, …{text[max(first - 10, 0):first + 12]}…; "
                         f"write {t.chinese}（{t.head}）there")
    assert not found, "\n".join(found)


def test_every_term_is_used_in_the_twin_that_introduces_it():
    twins = {p.name[:2]: p for p in zh_notebooks()}
    found = [f"{t.chinese} ({t.english}) is not used in zh/{twins[t.notebook].name}, which introduces it"
             for t in terms() if t.notebook in twins and t.chinese not in _prose(twins[t.notebook])]
    assert not found, "\n".join(found)


def test_the_first_use_column_names_the_first_notebook_that_uses_the_term():
    """The glossary's 首次出现 column is the earliest Chinese notebook whose running prose uses the term (glossed
    there, by the test above), not a longer term that contains it: where a reader in course order first meets it."""
    entries = terms()
    texts = {p.name[:2]: running_prose(p) for p in zh_notebooks()}
    found = []
    for t in entries:
        if len(t.chinese) < 2:
            continue
        using = sorted(number for number, text in texts.items() if t.chinese in without_longer_terms(text, t, entries))
        if using and using[0] != t.notebook:
            found.append(f"| {t.english} | {t.chinese} | {t.notebook} |: first used in zh/{using[0]}, not zh/{t.notebook}")
    assert not found, "\n".join(found)
