"""The language the helpers speak to a learner: English, or Chinese in the Chinese edition (``notebooks/zh/``).

Every line a helper prints for a learner (exercise checks and their hints, widget descriptions, smoke-mode banners,
the environment report) is marked with ``_()`` in the source and translated with Python's own ``gettext`` from the
catalog ``helpers/locale/<locale>/LC_MESSAGES/course.mo``. That file is compiled with Babel from ``course.po``,
which translators edit; ``make translations`` re-extracts the messages and recompiles (see the README).

A Chinese notebook selects its language in its setup cell, in the running kernel, with one line:
``helpers.set_language("zh")``. Nothing has to be set before JupyterLab starts, and English notebooks need no line.

Error messages for programming mistakes (a helper called with a wrong argument) stay in English.
"""

from __future__ import annotations

import gettext
import unicodedata
import warnings
from pathlib import Path

DOMAIN = "course"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# language code a notebook passes -> gettext locale of its catalog (None: the source language, no catalog)
LANGUAGES = {"en": None, "zh": "zh_CN"}

_state: dict[str, object] = {"language": "en", "translations": gettext.NullTranslations()}


class CatalogWarning(UserWarning):
    """A language's message catalog could not be read: the helpers speak English instead."""


# Said when the catalog itself is broken, so it cannot come from the catalog: in Chinese and in English.
_BROKEN_CATALOG = (
    "中文消息目录 {path} 已损坏，读不出来（{error}）。辅助函数先改说英文，课程照常运行。"
    "修复方法：在课程文件夹里运行 `make translations` 重新编译它，"
    "或者用 `git checkout -- {path}` 恢复原来的文件，然后重新运行 `helpers.set_language(\"zh\")`。\n"
    "The Chinese message catalog {path} is broken ({error}), so the helpers speak English for now. To fix it, run "
    "`make translations` in the course folder (or restore the file with `git checkout -- {path}`), then run "
    "`helpers.set_language(\"zh\")` again."
)


def set_language(language: str) -> None:
    """Make the helpers speak ``language`` ("en" or "zh") from now on, in this kernel.

    A catalog that is there but cannot be read (a corrupt ``course.mo``) does not stop the notebook: the helpers
    speak English, with a ``CatalogWarning`` that says how to repair it.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {language!r}")
    locale = LANGUAGES[language]
    if locale is None:
        translations: gettext.NullTranslations = gettext.NullTranslations()
    else:
        try:
            translations = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale])
        except FileNotFoundError:
            raise FileNotFoundError(
                f"the {language!r} message catalog is missing: expected {LOCALE_DIR / locale / 'LC_MESSAGES'}"
                f"/{DOMAIN}.mo; run `make translations` in the course folder to compile it"
            ) from None
        except Exception as error:  # a corrupt file: OSError "Bad magic number", struct.error, ValueError, ...
            catalog = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
            shown = catalog.relative_to(LOCALE_DIR.parent.parent).as_posix()  # helpers/locale/...: no machine path
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            warnings.warn(
                _BROKEN_CATALOG.format(path=shown, error=f"{type(error).__name__}: {reason}"),
                CatalogWarning,
                stacklevel=2,
            )
            language, translations = "en", gettext.NullTranslations()
    _state["language"], _state["translations"] = language, translations


def get_language() -> str:
    """The language the helpers speak now: "en" or "zh"."""
    return str(_state["language"])


def _(message: str) -> str:
    """Translate ``message`` into the current language (unchanged in English, or when it has no translation)."""
    return _state["translations"].gettext(message)  # type: ignore[union-attr]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (a terminal, a text output): a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (see ``display_width``), for tables in either language."""
    return text + " " * max(width - display_width(text), 0)
