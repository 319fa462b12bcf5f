"""The helpers' message catalogs (gettext, with Babel): extract, update, compile (for course authors).

    python tools/messages.py            # = make translations: extract, update every .po, compile every .mo
    python tools/messages.py --check    # exit 1 (saying why) when a catalog is stale, incomplete or not compiled

Where the messages come from:
- every ``_("...")`` in ``helpers/`` (see ``helpers/i18n.py``) and in ``classroom/`` (the classroom kit's feedback,
  reports and student edition, see TEACHING.md) and in ``notebooks/scripts/`` (what 07's DDP script prints);
- every literal passed to ``announce_smoke("...")`` in the English notebooks and in ``notebooks/scripts/``: the
  helper translates that description at run time, so it needs a catalog entry too.

Translators edit ``helpers/locale/<locale>/LC_MESSAGES/course.po`` (a new message arrives there untranslated, and
``--check`` fails until it is translated); this tool compiles it into the ``course.mo`` that Python's ``gettext``
reads. Both files are committed, so a fresh clone needs no build step.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"
# packages whose _("...") messages a learner or teacher reads
SOURCES = [HELPERS, ROOT / "classroom", ROOT / "notebooks" / "scripts"]
LOCALE_DIR = HELPERS / "locale"
DOMAIN = "course"
LOCALES = ["zh_CN"]
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def _smoke_descriptions(source: str, where: str) -> list[tuple[str, str]]:
    """(message, where) for every announce_smoke("literal") call in Python source."""
    found = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name == "announce_smoke" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value.strip(), where))
    return found


def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("%", "!")))


def extract() -> Catalog:
    """Every message the helpers may show a learner, with where it comes from."""
    catalog = Catalog(project="pytorch-course", domain=DOMAIN, charset="utf-8")
    for package in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(package, keywords={"_": None}):
            catalog.add(message, locations=[(f"{package.relative_to(ROOT).as_posix()}/{filename}", lineno)])
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                for message, where in _smoke_descriptions(_cell_source(cell), f"notebooks/{notebook.name}"):
                    catalog.add(message, locations=[(where, index)])
    for script in sorted((ROOT / "notebooks" / "scripts").glob("*.py")):
        for message, where in _smoke_descriptions(script.read_text(encoding="utf-8"), f"notebooks/scripts/{script.name}"):
            catalog.add(message, locations=[(where, 0)])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, sort_output=True, omit_header=False)
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def problems(locale: str) -> list[str]:
    """What is wrong with one locale's catalog: untranslated, fuzzy, stale or uncompiled messages."""
    wanted = {m.id for m in extract() if m.id}
    if not po_path(locale).exists():
        return [f"{po_path(locale).relative_to(ROOT)} is missing: run `make translations`"]
    catalog = read_catalog(locale)
    have = {m.id: m for m in catalog if m.id}
    found = []
    missing = sorted(wanted - set(have))
    if missing:
        found.append(f"{len(missing)} messages are not in {locale}'s catalog yet (run `make translations`): {missing[:3]}")
    stale = sorted(set(have) - wanted)
    if stale:
        found.append(f"{len(stale)} messages in {locale}'s catalog are no longer used (run `make translations`): {stale[:3]}")
    untranslated = sorted(i for i, m in have.items() if i in wanted and (not m.string or m.fuzzy))
    if untranslated:
        found.append(f"{len(untranslated)} messages have no {locale} translation (or a fuzzy one) in "
                     f"{po_path(locale).relative_to(ROOT)}: {untranslated[:3]}")
    if not mo_path(locale).exists() or mo_path(locale).read_bytes() != _mo_bytes(catalog):
        found.append(f"{mo_path(locale).relative_to(ROOT)} is not compiled from the current .po: run `make translations`")
    return found


def update() -> None:
    """Extract, merge into every locale's .po (new messages untranslated, unused ones dropped), compile every .mo."""
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(_po_bytes(template))
    for locale in LOCALES:
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read_catalog(locale)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, project="pytorch-course", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        path.write_bytes(_po_bytes(catalog))
        mo_path(locale).write_bytes(_mo_bytes(catalog))
        untranslated = sum(1 for m in catalog if m.id and not m.string)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {untranslated} untranslated; compiled "
              f"{mo_path(locale).relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report what is stale or missing; exit 1 if anything")
    args = parser.parse_args(argv)
    if args.check:
        found = [f"{locale}: {p}" for locale in LOCALES for p in problems(locale)]
        print("\n".join(found) or "every catalog is complete and compiled")
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main())
