"""The reading site (make site: tools/build_site.py, docs/): built offline into a temporary folder, then checked as
files and in headless Chromium with every other host blocked.

Run by ``make site-test`` (CI runs it). ``make test`` skips this module: Sphinx and its packages are not among the
packages every learner installs (``requirements-site.txt`` is installed by ``make site`` / ``make site-test``).
"""

from __future__ import annotations

import json
import os
import re
import threading
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

if os.environ.get("COURSE_SITE_TEST") != "1":
    pytest.skip("the reading site's tests need Sphinx (requirements-site.txt): run make site-test",
                allow_module_level=True)

from tests.chromium import CHROMIUM_ARGS, chromium_or_skip  # noqa: E402
from tools import build_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD_LIMIT_S = 60
CJK = re.compile(r"[\u4e00-\u9fff]")
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if build_site.LESSON.match(p.name))
PAGES = {"en": ["index", *LESSONS, "teaching"], "zh": ["index", *LESSONS, "teaching", "glossary"]}


class Links(HTMLParser):
    """Every tag's attributes, and every id, of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, float]:
    """The whole site, built as make site builds it, into a temporary folder; and the seconds it took."""
    build_dir = tmp_path_factory.mktemp("site-build")
    seconds = build_site.build(build_dir=build_dir)
    return build_dir / "site", seconds


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


# ---- the site as files ----------------------------------------------------------------------------------------------

def test_the_site_builds_offline_within_a_minute(site):
    site_dir, seconds = site
    assert seconds <= BUILD_LIMIT_S, f"the site took {seconds:.1f} s to build (at most {BUILD_LIMIT_S} s)"
    assert (site_dir / ".nojekyll").exists()  # GitHub Pages would hide _static/ otherwise


def test_each_edition_has_every_page(site):
    site_dir, _ = site
    for language, names in PAGES.items():
        built = {p.stem for p in (site_dir / language).glob("*.html")} - {"search", "genindex"}
        assert built == set(names), (language, sorted(built))


def test_the_landing_page_is_the_readme_with_the_course_table(site):
    """Each edition opens on its README, whose table links every lesson to the lesson's page."""
    site_dir, _ = site
    for language, heading in (("en", "PyTorch, from your first tensor"), ("zh", "PyTorch")):
        page = (site_dir / language / "index.html").read_text(encoding="utf-8")
        assert heading in page
        tables = re.findall(r"<table.*?</table>", page, flags=re.DOTALL)
        assert any(all(f'href="{lesson}.html"' in table for lesson in LESSONS) for table in tables), language
    chooser = (site_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in chooser and 'href="zh/index.html"' in chooser


def test_every_page_links_to_its_twin(site):
    """The language switch goes to the same page in the other edition (its landing page where there is no twin)."""
    site_dir, _ = site
    for language, names in PAGES.items():
        other = "zh" if language == "en" else "en"
        for name in names:
            switches = [a["href"] for tag, a in parse(site_dir / language / f"{name}.html").tags
                        if tag == "a" and "course-language-switch" in a.get("class", "")]
            expected = f"../{other}/{name if name in PAGES[other] else 'index'}.html"
            assert switches and set(switches) == {expected}, (language, name, switches)


def test_every_link_between_pages_lands(site):
    """Every relative link of every page leads to a file of the site, and to an id of that page where it names one."""
    site_dir, _ = site
    broken = []
    for page in html_pages(site_dir):
        for tag, attributes in parse(page).tags:
            href = attributes.get("href") if tag == "a" else None
            if not href or urlsplit(href).scheme or href.startswith("//"):
                continue
            parts = urlsplit(href)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(site_dir)}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(site_dir)}: {href} (no such id)")
    assert not broken, "\n".join(broken)


def test_links_to_repository_files_are_on_github_or_plain_text():
    """A link to a file the site does not have goes to the repository on GitHub, or is left as its text."""
    rewrite = build_site.rewrite_links
    text = "[the DDP script](scripts/train_ddp.py), [next](02_autograd.ipynb#Older-code), [中文](zh/01_tensors.ipynb)"
    source = "notebooks/01_tensors.ipynb"
    assert rewrite(text, source, "en", has_repo=True) == (
        "[the DDP script](repo:notebooks/scripts/train_ddp.py), [next](02_autograd.ipynb#older-code), "
        "[中文](twin:01_tensors)")
    assert rewrite(text, source, "en", has_repo=False).startswith("the DDP script, [next]")
    fenced = "```\n[kept](scripts/train_ddp.py)\n```\n"
    assert rewrite(fenced, source, "en", has_repo=True) == fenced
    with pytest.raises(SystemExit, match="not in the repository"):
        rewrite("[gone](no_such_file.ipynb)", source, "en", has_repo=True)


def test_the_repository_address_comes_from_github_or_the_origin_remote(monkeypatch):
    monkeypatch.setenv("COURSE_REPO_URL", "https://github.com/someone/course/")
    assert build_site.repo_url() == "https://github.com/someone/course"
    schemes = build_site_schemes("https://github.com/someone/course")
    assert schemes["repo"] == "https://github.com/someone/course/blob/HEAD/{{path}}"
    assert "repo" not in build_site_schemes("")


def build_site_schemes(url: str) -> dict:
    import sys

    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from course_site import EDITIONS, url_schemes
    finally:
        sys.path.remove(str(ROOT / "docs"))
    return url_schemes(EDITIONS["en"], url)


LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
         "link": "href", "embed": "src", "object": "data"}


def test_no_page_names_another_host_for_what_it_loads(site):
    """Scripts, styles, fonts and images all come from the site (the browser test also watches every request)."""
    site_dir, _ = site
    outside = []
    for page in html_pages(site_dir):
        for tag, attributes in parse(page).tags:
            address = attributes.get(LOADS.get(tag, ""), "")
            if tag == "link" and not ({"stylesheet", "preload", "icon", "modulepreload", "prefetch"}
                                      & set(attributes.get("rel", "").split())):
                continue
            if urlsplit(address).scheme in ("http", "https") or address.startswith("//"):
                outside.append(f"{page.relative_to(site_dir)}: <{tag}> {address}")
    for css in site_dir.rglob("*.css"):
        for address in re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""",
                                  css.read_text(encoding="utf-8", errors="replace")):
            outside.append(f"{css.relative_to(site_dir)}: {address}")
    assert not outside, "\n".join(outside)


def _stored_images(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(any(k.startswith("image/") for k in o.get("data", {})) for c in cells for o in c.get("outputs", []))


def test_every_figure_has_alt_text_in_its_language(site):
    """Each figure of a lesson is on its page with the description its notebook stores, in the page's language."""
    site_dir, _ = site
    for language in PAGES:
        folder = ROOT / "notebooks" / ("zh" if language == "zh" else "")
        for lesson in LESSONS:
            images = [a for tag, a in parse(site_dir / language / f"{lesson}.html").tags
                      if tag == "img" and "_images/" in a.get("src", "")]
            assert len(images) == _stored_images(folder / f"{lesson}.ipynb"), (language, lesson)
            for image in images:
                alt = image.get("alt", "")
                assert alt and "_images/" not in alt and ".png" not in alt, (language, lesson, image)
                assert bool(CJK.search(alt)) == (language == "zh"), (language, lesson, alt)


def test_the_downloads_are_the_repositorys_own_files(site):
    """The download button offers the notebook itself, with the links that work in JupyterLab."""
    site_dir, _ = site
    for language, folder in (("en", "notebooks"), ("zh", "notebooks/zh")):
        for lesson in LESSONS:
            download = site_dir / language / "_sources" / f"{lesson}.ipynb"
            assert download.read_bytes() == (ROOT / folder / f"{lesson}.ipynb").read_bytes(), (language, lesson)


def _index(site_dir: Path, language: str) -> dict:
    text = (site_dir / language / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def _pages_with(index: dict, word: str) -> set[str]:
    found = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(word, [])
        found |= {index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits)}
    return found


def test_the_search_index_has_the_words_readers_type(site):
    """autograd finds lesson 02 in English; 自动求导 (one word, as Chinese readers type it) finds it in Chinese."""
    site_dir, _ = site
    assert "02_autograd" in _pages_with(_index(site_dir, "en"), "autograd")
    chinese = _index(site_dir, "zh")
    for word in ("自动求导", "张量", "反向传播", "损失函数"):
        assert len(_pages_with(chinese, word)) >= 2, word
    assert "02_autograd" in _pages_with(chinese, "自动求导")


def test_the_chinese_search_words_are_the_glossarys_terms():
    words = build_site.search_words().split("\n")
    for term in ("自动求导 1000", "张量 1000", "反向传播 1000", "学习率 1000", "优化器 1000"):
        assert term in words, term
    assert not any(word and not CJK.search(word) for word in words)


def test_the_github_pages_workflow_publishes_what_make_site_builds():
    workflow = (ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    assert "make site" in workflow and "path: build/site" in workflow
    assert "actions/deploy-pages" in workflow and "COURSE_REPO_URL" in workflow


# ---- the site in a browser -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(site):
    """The built site over HTTP on a free localhost port, as a static host (GitHub Pages) serves it."""
    site_dir, _ = site

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(served):
    """Chromium with every request that leaves the site blocked and written down, and everything that went wrong."""
    chromium = chromium_or_skip("the site's browser test", "make site-test")
    from playwright.sync_api import sync_playwright

    seen = {"outside": [], "errors": [], "failed": []}
    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        context = chrome.new_context(viewport={"width": 1280, "height": 900})

        def route(request_route):
            url = request_route.request.url
            if url.startswith(served + "/") or url.startswith("data:"):
                request_route.continue_()
            else:
                seen["outside"].append(url)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        page.on("response", lambda response: response.status >= 400 and seen["failed"].append(
            f"{response.status} {response.url}"))
        page.on("requestfailed", lambda request: seen["failed"].append(f"failed {request.url}"))
        yield page, seen
        chrome.close()


IMAGES = """() => Array.from(document.querySelectorAll('.cell_output img')).map(img => ({
  src: img.getAttribute('src'), alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
  background: getComputedStyle(img).backgroundColor}))"""


def test_every_page_loads_from_the_site_alone_without_errors(browser, served):
    page, seen = browser
    for language, names in PAGES.items():
        for name in [*names, "search", "genindex"]:
            page.goto(f"{served}/{language}/{name}.html", wait_until="networkidle")
            images = page.evaluate(IMAGES)
            assert all(i["loaded"] and i["alt"] for i in images), (language, name, images)
    page.goto(f"{served}/index.html", wait_until="networkidle")  # the chooser sends Chromium (en-US) to English
    assert page.url.endswith("/en/index.html"), page.url
    assert not seen["outside"], f"requests that left the site: {seen['outside']}"
    assert not seen["errors"], f"console errors: {seen['errors']}"
    assert not seen["failed"], f"failed requests: {seen['failed']}"


def test_formulas_are_typeset_by_the_sites_own_mathjax(browser, served):
    page, seen = browser
    for language in PAGES:
        page.goto(f"{served}/{language}/02_autograd.html", wait_until="networkidle")
        page.wait_for_selector("mjx-container svg", timeout=20_000)
        assert page.evaluate("() => document.querySelectorAll('mjx-container').length") >= 10
    assert not seen["outside"], seen["outside"]


def test_the_language_switch_lands_on_the_twin(browser, served):
    page, _ = browser
    page.goto(f"{served}/en/01_tensors.html", wait_until="networkidle")
    page.locator(".bd-header-article .course-language-switch").first.click()
    page.wait_for_url(f"{served}/zh/01_tensors.html")
    assert "张量" in page.title()
    page.locator(".bd-header-article .course-language-switch").first.click()
    page.wait_for_url(f"{served}/en/01_tensors.html")


@pytest.mark.parametrize("language, query, expected", [("en", "autograd", "02 · Autograd"),
                                                        ("zh", "自动求导", "02 · 自动求导")])
def test_search_finds_the_lesson_in_both_languages(browser, served, language, query, expected):
    page, seen = browser
    page.goto(f"{served}/{language}/search.html?q={query}", wait_until="networkidle")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    titles = page.eval_on_selector_all("#search-results ul.search li > a", "links => links.map(a => a.textContent)")
    assert any(expected in title for title in titles), titles
    assert not seen["errors"], seen["errors"]


def test_figures_keep_a_light_background_in_the_dark_theme(browser, served):
    page, _ = browser
    page.goto(f"{served}/en/05_updating_weights.html", wait_until="networkidle")
    page.evaluate("() => { const html = document.documentElement; html.dataset.theme = html.dataset.mode = 'dark'; }")
    images = page.evaluate(IMAGES)
    assert images and all(i["background"] == "rgb(255, 255, 255)" for i in images), images
