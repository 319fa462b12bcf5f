"""A small Sphinx extension for the course's reading site (docs/conf.py).

- The language switch: every page gets ``course_twin_url``, the same page in the other edition (its landing page
  where a page has no twin, such as the Chinese glossary), for ``_templates/language-switch.html``.
- Alt text: the course's figures carry a description in their notebook output's metadata
  (``metadata["image/png"]["alt"]``, written by ``helpers.alt_text``). MyST-NB writes each image output to a file
  named by the SHA-256 of its bytes, and reads only width and height from that metadata, so this extension maps
  each image's hash to its description and puts it on the page's ``<img alt>``.
- Downloads: the download button's files are the repository's own notebooks and Markdown, not the staged copies.
- MathJax: copies MathJax 3's self-contained SVG build (from the django-static-mathjax package, plain files) into
  the site's ``_static/mathjax/``, so formulas render without a CDN and without web fonts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes

MATHJAX_FILE = "tex-svg-full.js"
IMAGE_TYPES = ("image/png", "image/jpeg")
SOURCES_MANIFEST = ".course-sources.json"  # staged file name -> the repository file it was made from


@dataclass(frozen=True)
class Edition:
    code: str  # the site's folder: en, zh
    sphinx_language: str
    search_language: str
    title: str
    switch_label: str  # the link to the OTHER edition, written in that edition's language
    switch_lang: str  # the other edition's language tag (hreflang)

    @property
    def other(self) -> str:
        return "zh" if self.code == "en" else "en"


EDITIONS = {
    "en": Edition("en", "en", "en", "PyTorch course: from your first tensor to a GPU-trained classifier",
                  "中文", "zh-CN"),
    "zh": Edition("zh", "zh_CN", "zh", "PyTorch 课程：从第一个张量到在 GPU 上训练分类器", "English", "en"),
}


def url_schemes(edition: Edition, repo_url: str) -> dict:
    """MyST's link schemes: web links, ``twin:PAGE`` (the other edition's PAGE) and ``repo:PATH`` (on GitHub)."""
    schemes: dict = {"http": None, "https": None, "mailto": None,
                     "twin": {"url": f"../{edition.other}/{{{{path}}}}.html", "classes": ["course-twin"]}}
    if repo_url:
        schemes["repo"] = f"{repo_url}/blob/HEAD/{{{{path}}}}"
    return schemes


def image_descriptions(srcdir: Path) -> dict[str, str]:
    """SHA-256 of each image output's bytes -> its alt text, over every notebook in ``srcdir``."""
    found: dict[str, str] = {}
    for notebook in sorted(srcdir.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                for mime in IMAGE_TYPES:
                    alt = output.get("metadata", {}).get(mime, {}).get("alt")
                    data = output.get("data", {}).get(mime)
                    if alt and data:
                        found[hashlib.sha256(base64.b64decode("".join(data))).hexdigest()] = str(alt)
    return found


def _read_sources(app) -> None:
    """Once a build: the alt texts of this edition's figures, and the pages the other edition has."""
    app.env.course_alt_text = image_descriptions(Path(app.srcdir))
    other = Path(app.srcdir).parent / EDITIONS[app.config.course_site_language].other
    app.env.course_twin_pages = {p.stem for p in other.glob("*.*")}


def _set_alt_text(app, doctree) -> None:
    descriptions = app.env.course_alt_text
    for image in doctree.findall(nodes.image):
        alt = descriptions.get(Path(image.get("uri", "")).stem)
        if alt and not image.get("alt"):
            image["alt"] = alt


def _search_options(app, config) -> None:
    """Chinese: jieba splits the words, with the course's terms added (tools/build_site.py writes search-words.txt
    from the glossary), so that 自动求导 is one word in the index, as a reader types it."""
    if EDITIONS[config.course_site_language].code != "zh":
        return
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict..." lines in every build
    # Sphinx 9.0 (the last for Python 3.11) ships the English stemmer for the Latin words of a Chinese index, but
    # names it ChineseStemmer in language_data.js, which no script defines: every page then logs an error and the
    # search page finds nothing. The stemmer is English, on both sides (Python's index and the page's JavaScript).
    from sphinx.search.zh import SearchChinese

    if SearchChinese.js_stemmer_rawcode == "english-stemmer.js":
        SearchChinese.language_name = "English"
    config.html_search_options = {"dict": str(Path(app.srcdir) / "search-words.txt")}


def _page_context(app, pagename, templatename, context, doctree) -> None:
    edition = EDITIONS[app.config.course_site_language]
    twins = app.env.course_twin_pages
    target = pagename if pagename in twins or pagename in ("search", "genindex") else "index"
    context["course_twin_url"] = f"../{edition.other}/{target}.html"
    context["course_twin_label"] = edition.switch_label
    context["course_twin_lang"] = edition.switch_lang


def _copy_sources(app, exception) -> None:
    """The download button offers the repository's own files, not the staged copies with the site's links."""
    manifest = Path(app.srcdir) / SOURCES_MANIFEST
    if exception is not None or app.builder.format != "html" or not manifest.exists():
        return
    for name, original in json.loads(manifest.read_text(encoding="utf-8")).items():
        target = Path(app.outdir) / "_sources" / name
        if target.exists():
            shutil.copyfile(original, target)


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import mathjax  # django-static-mathjax: MathJax's files, no Django

    source = Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5" / MATHJAX_FILE
    target = Path(app.outdir) / "_static" / "mathjax" / MATHJAX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def setup(app):
    import os

    app.add_config_value("course_site_language", os.environ.get("COURSE_SITE_LANGUAGE", "en"), "html")
    app.connect("config-inited", _search_options)
    app.connect("builder-inited", _read_sources)
    app.connect("doctree-read", _set_alt_text)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _copy_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
