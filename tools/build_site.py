"""Build the course's reading site, offline: ``make site`` (for readers, teachers and GitHub Pages).

    python tools/build_site.py            # build/site/en/, build/site/zh/ and build/site/index.html

What it does:
1. Stages each edition's pages into ``build/site-src/<language>/``: the README as the landing page (``index``), the
   notebooks with their stored outputs (nothing is executed: strict nbval keeps those outputs true), TEACHING as
   ``teaching``, and in Chinese the glossary (``glossary``). The pages of both editions have the same names, so the
   language switch on every page (docs/conf.py) goes to ``../<other>/<same page>.html``.
2. Rewrites the links for the site: a link to a page of the same edition stays a link between pages (anchors written
   the JupyterLab way, ``#The-notebooks``, become the site's ``#the-notebooks``); a link to the other edition's twin
   becomes ``twin:<page>``; a link to any other file of the repository becomes ``repo:<path>``, a link into the
   repository on GitHub when ``COURSE_REPO_URL`` is known (GitHub Actions sets it; locally it is read from the
   ``origin`` remote), and plain text otherwise, never a dead link.
3. Writes the Chinese search dictionary from the glossary's terms (``search-words.txt``), so that a search for
   自动求导 finds the notebooks that use the word (Sphinx's Chinese search splits words with jieba).
4. Runs Sphinx (docs/conf.py) for both editions at once and writes ``build/site/index.html``, which sends a reader
   to the edition of their browser's language, and ``.nojekyll`` for GitHub Pages.

Staged files are rewritten only when their text changes, so a second build re-renders only what changed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD = ROOT / "build"


@dataclass(frozen=True)
class Folders:
    """Where a build goes: site/ (the result), site-src/ (the staged pages) and site-work/ (Sphinx's own folders
    per edition: html/, doctrees/, and jupyter_execute/ beside html/, where MyST-NB writes the outputs' files, a path
    it does not let us set; the finished html/ is copied to site/<edition>/)."""

    build: Path

    @property
    def site(self) -> Path:
        return self.build / "site"

    @property
    def stage(self) -> Path:
        return self.build / "site-src"

    @property
    def work(self) -> Path:
        return self.build / "site-work"

LANGUAGES = ("en", "zh")
LINK = re.compile(r"(?<!\!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
LESSON = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
GLOSSARY_ROW = re.compile(r"^\|\s*[^|]+\|\s*(?P<zh>[^|]+?)\s*\|", re.MULTILINE)


@dataclass(frozen=True)
class Page:
    source: str  # path in the repository, POSIX
    name: str  # the page's name on the site, the same in both editions where there is a twin


@functools.cache
def pages(language: str) -> tuple[Page, ...]:
    """The pages of one edition, landing page first (read once: every link of every page is looked up here)."""
    folder = "notebooks" if language == "en" else "notebooks/zh"
    lessons = sorted(p.name for p in (ROOT / folder).glob("*.ipynb") if LESSON.match(p.name))
    readme, teaching = ("README.md", "TEACHING.md") if language == "en" else ("README.zh-CN.md", "TEACHING.zh-CN.md")
    found = [Page(readme, "index"), *(Page(f"{folder}/{name}", name[: -len(".ipynb")]) for name in lessons),
             Page(teaching, "teaching")]
    if language == "zh":
        found.append(Page("notebooks/zh/术语表.md", "glossary"))
    return tuple(found)


def other(language: str) -> str:
    return "zh" if language == "en" else "en"


def repo_url() -> str:
    """The repository's web address for links to its files: COURSE_REPO_URL, else the origin remote's, else ''."""
    explicit = os.environ.get("COURSE_REPO_URL", "").strip().rstrip("/")
    if explicit:
        return explicit
    try:
        remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    found = re.match(r"^(?:https://github\.com/|git@github\.com:)(?P<path>[\w.-]+/[\w.-]+?)(?:\.git)?/?$", remote)
    return f"https://github.com/{found.group('path')}" if found else ""


def jupyter_anchor_to_slug(anchor: str) -> str:
    """``4.-Troubleshooting`` (JupyterLab's anchor of a heading) -> ``4-troubleshooting`` (the site's, MyST's)."""
    from myst_parser.slugs import github_slugify

    return github_slugify(anchor.replace("-", " "))


def rewrite_target(target: str, source: str, language: str, has_repo: bool) -> str | None:
    """The link target ``target`` (written in the repository file ``source``) as the site needs it; None: no link."""
    if SCHEME.match(target):
        return target
    path, _, anchor = target.partition("#")
    slug = f"#{jupyter_anchor_to_slug(anchor)}" if anchor else ""
    if not path:
        return slug
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    for page in pages(language):
        if page.source == resolved:
            return f"{page.name}{Path(page.source).suffix}{slug}"
    for page in pages(other(language)):
        if page.source == resolved:
            twin = page.name if any(p.name == page.name for p in pages(language)) else "index"
            return f"twin:{twin}"
    if (ROOT / resolved).exists() and not resolved.startswith(".."):
        return f"repo:{resolved}" if has_repo else None
    raise SystemExit(f"error: {source} links to {target}, which is not in the repository: fix the link")


def rewrite_links(markdown: str, source: str, language: str, has_repo: bool) -> str:
    """Every Markdown link of ``markdown`` outside code fences, rewritten by ``rewrite_target``."""
    parts = FENCE.split(markdown)
    out, inside = [], False
    # FENCE.split gives text, fence, text, fence...: text outside fences at even positions while not inside
    for index, part in enumerate(parts):
        if index % 2 == 1:
            out.append(part)
            inside = not inside
            continue
        if inside:
            out.append(part)
            continue

        def replace(match: re.Match) -> str:
            new = rewrite_target(match.group("target"), source, language, has_repo)
            return match.group("text") if new is None else f"[{match.group('text')}]({new})"

        out.append(LINK.sub(replace, part))
    return "".join(out)


def hidden_toctree(names: list[str]) -> str:
    return "\n\n```{toctree}\n:hidden:\n:maxdepth: 1\n\n" + "\n".join(names) + "\n```\n"


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def search_words() -> str:
    """jieba's user dictionary for the Chinese search: every term of the glossary's 中文 column, one a line."""
    table = (ROOT / "notebooks" / "zh" / "术语表.md").read_text(encoding="utf-8")
    words = []
    for match in GLOSSARY_ROW.finditer(table):
        for word in re.split(r"[、，,/（）()\s]+", match.group("zh")):
            if re.search(r"[\u4e00-\u9fff]", word) and word not in words and word != "中文":
                words.append(word)
    return "".join(f"{word} 1000\n" for word in words)


def stage(language: str, has_repo: bool, folders: Folders) -> Path:
    """Write one edition's pages into site-src/<language>/; return that folder."""
    folder = folders.stage / language
    wanted, sources = {".course-sources.json"}, {}
    edition = pages(language)
    for page in edition:
        text = (ROOT / page.source).read_text(encoding="utf-8")
        target = folder / f"{page.name}{Path(page.source).suffix}"
        if page.source.endswith(".ipynb"):
            notebook = json.loads(text)
            for cell in notebook["cells"]:
                if cell["cell_type"] == "markdown":
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    cell["source"] = rewrite_links(source, page.source, language, has_repo)
            text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
        else:
            text = rewrite_links(text, page.source, language, has_repo)
        if page.name == "index":
            text += hidden_toctree([p.name for p in edition[1:]])
        _write_if_changed(target, text)
        wanted.add(target.name)
        sources[target.name] = str(ROOT / page.source)
    if language == "zh":
        _write_if_changed(folder / "search-words.txt", search_words())
        wanted.add("search-words.txt")
    _write_if_changed(folder / ".course-sources.json", json.dumps(sources, ensure_ascii=False, indent=1) + "\n")
    for stale in folder.iterdir():  # a page renamed or removed since the last build
        if stale.name not in wanted:
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return folder


CHOOSER = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PyTorch course · PyTorch 课程</title>
<script>
  // the edition of the reader's language; the links below work without JavaScript
  var zh = (navigator.languages || [navigator.language || ""]).some(function (l) { return /^zh/i.test(l); });
  location.replace(zh ? "zh/index.html" : "en/index.html");
</script>
</head>
<body>
<p><a href="en/index.html" hreflang="en">PyTorch, from your first tensor to a GPU-trained image classifier (English)</a></p>
<p lang="zh-CN"><a href="zh/index.html" hreflang="zh-CN">PyTorch 课程：从第一个张量到在 GPU 上训练图像分类器（中文）</a></p>
</body>
</html>
"""


def build(languages: tuple[str, ...] = LANGUAGES, quiet: bool = True, build_dir: Path = BUILD) -> float:
    """Stage and build ``languages`` at once (one Sphinx process each) under ``build_dir``; return the seconds."""
    start = time.monotonic()
    folders = Folders(build_dir)
    site, work = folders.site, folders.work
    url = repo_url()
    runs = {}
    for language in languages:
        source = stage(language, bool(url), folders)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-c", str(DOCS),
                   "-d", str(work / language / "doctrees"), *(["-q"] if quiet else []), str(source),
                   str(work / language / "html")]
        env = dict(os.environ, COURSE_SITE_LANGUAGE=language, COURSE_REPO_URL=url, PYTHONHASHSEED="0")
        runs[language] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True)
    failed = []
    for language, run in runs.items():
        output, _ = run.communicate()
        if run.returncode != 0:
            failed.append(f"--- the {language} edition (sphinx exited with {run.returncode}):\n{output}")
        elif output.strip():
            print(output, end="")
    if failed:
        raise SystemExit("error: the site did not build:\n" + "\n".join(failed))
    site.mkdir(parents=True, exist_ok=True)
    for language in languages:
        shutil.rmtree(site / language, ignore_errors=True)
        shutil.copytree(work / language / "html", site / language, ignore=shutil.ignore_patterns(".buildinfo*"))
    (site / "index.html").write_text(CHOOSER, encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--language", choices=LANGUAGES, action="append", help="build only this edition")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    seconds = build(tuple(args.language or LANGUAGES), quiet=not args.verbose)
    shown = Folders(BUILD).site.relative_to(ROOT).as_posix()
    print(f"The site is in {shown}/ ({seconds:.1f} s): open {shown}/en/index.html or {shown}/zh/index.html, "
          f"or serve it with: python -m http.server --directory {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
