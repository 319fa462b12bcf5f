"""Sphinx settings of the course's reading site; tools/build_site.py (make site) runs Sphinx with this file for each
edition, naming it in COURSE_SITE_LANGUAGE ("en" or "zh"). Nothing is executed: the notebooks' stored outputs are
rendered as they are. Every file a page loads comes from the site itself (docs/course_site.py): no CDN."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course_site import EDITIONS, url_schemes  # noqa: E402  (docs/ is not a package)

edition = EDITIONS[os.environ.get("COURSE_SITE_LANGUAGE", "en")]

project = edition.title
author = "the course's authors"
copyright = "the course's authors"
language = edition.sphinx_language
root_doc = "index"
extensions = ["myst_nb", "course_site"]
exclude_patterns = ["search-words.txt"]

# MyST: $…$ formulas, anchors for the headings that links point to, and the site's own link schemes (twin:, repo:)
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 4
myst_url_schemes = url_schemes(edition, os.environ.get("COURSE_REPO_URL", ""))

# MyST-NB: render the stored outputs, never run a notebook; no ipywidgets JavaScript from a CDN (a widget shows
# the text form the course stores beside it)
nb_execution_mode = "off"
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None),
                              ("html", "application/vnd.jupyter.widget-state+json", None)]
nb_merge_streams = True

html_theme = "sphinx_book_theme"
html_title = edition.title
html_static_path = ["_static"]
html_css_files = ["course.css"]
templates_path = ["_templates"]
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}  # light or dark as the reader's system is; the theme's switch changes it
html_theme_options = {
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
html_sidebars = {"**": ["navbar-logo.html", "language-switch.html", "search-button-field.html",
                        "sbt-sidebar-nav.html"]}
html_search_language = edition.search_language  # zh: its word list is set in course_site (_search_options)

# MathJax 3 from the site's own _static/ (course_site copies it there), drawn as SVG: no web fonts to fetch
mathjax_path = "mathjax/tex-svg-full.js"
