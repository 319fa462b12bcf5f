"""Join the soft line breaks of Chinese Markdown in notebooks, so that no stray space shows between Chinese characters.

A line break inside a Markdown paragraph is a "soft break": the page shows it as a space. Between two English words
that is right; between two Chinese characters, or beside Chinese punctuation (，。（）…), Chrome shows a visible gap. So in the Chinese edition a paragraph, a
list item or a quoted paragraph is kept on one source line wherever a line break would fall between Chinese
characters (or Chinese punctuation). Code blocks, tables, headings and HTML are left alone.

    python tools/join_cjk_lines.py notebooks/zh/*.ipynb *.zh-CN.md          # rewrite in place
    python tools/join_cjk_lines.py --check notebooks/zh/*.ipynb *.zh-CN.md  # exit 1 if a file has such a break

It takes notebooks (their Markdown cells) and Markdown files (the Chinese READMEs and TEACHING.zh-CN.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

WIDE = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201d\u2026\u2014"
PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201d\u2026\u2014"
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+\.\s|#|\||```|<|\$\$|>\s*$)")


def _content(line: str) -> tuple[str, str]:
    """(quote prefix, rest) of a line: '> ' and the text after it, or '' and the line."""
    match = re.match(r"^(\s*>\s?)(.*)$", line)
    return (match.group(1), match.group(2)) if match else ("", line)


def join_soft_breaks(markdown: str) -> str:
    """Markdown with every soft line break between two wide (CJK) characters removed."""
    lines = markdown.split("\n")
    out: list[str] = []
    in_fence = False
    for line in lines:
        if line.lstrip().lstrip(">").lstrip().startswith("```"):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence or not out:
            out.append(line)
            continue
        previous = out[-1]
        quote_prev, text_prev = _content(previous)
        quote_this, text_this = _content(line)
        joinable = (
            text_prev.strip() and text_this.strip()
            and bool(quote_prev) == bool(quote_this)
            and not BLOCK_START.match(text_this)
            and not text_prev.lstrip().startswith(("#", "|", "<", "```", "$$"))
            and not previous.endswith("  ")  # a hard break, on purpose
            and (
                # emphasis marks (*…*, **…**) do not count: "要\n*动手运行*的课" shows a gap too
                (re.search(f"[{WIDE}][*_]*$", text_prev.rstrip()) and re.match(f"^\\s*[*_]*[{WIDE}]", text_this))
                # a break beside full-width punctuation also shows as a gap: "，`code`", "`code`。"
                or re.search(f"[{PUNCT}]$", text_prev.rstrip()) or re.match(f"^\\s*[{PUNCT}]", text_this)
            )
        )
        if joinable:
            out[-1] = previous.rstrip() + text_this.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def fix_notebook(path: Path, check: bool) -> bool:
    """Join the breaks in one notebook's Markdown cells; return True if anything changed (or would)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in data["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        joined = join_soft_breaks(source)
        if joined != source:
            changed = True
            cell["source"] = joined.splitlines(keepends=True)
    if changed and not check:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changed


def fix_markdown(path: Path, check: bool) -> bool:
    """Join the breaks in one Markdown file; return True if anything changed (or would)."""
    text = path.read_text(encoding="utf-8")
    joined = join_soft_breaks(text)
    if joined != text and not check:
        path.write_text(joined, encoding="utf-8")
    return joined != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a notebook needs joining")
    args = parser.parse_args(argv)
    changed = [p for p in args.notebooks
               if (fix_markdown if p.suffix == ".md" else fix_notebook)(p, args.check)]
    for path in changed:
        print(f"{path}: {'has' if args.check else 'joined'} soft line breaks between Chinese characters")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
