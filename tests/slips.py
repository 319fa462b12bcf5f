"""Learner slips: a table of likely mistakes with the helpers, and what each must get (issue 23).

Each row is one slip a careless learner makes with a helper the notebooks use: the call, and what must happen: a
clear error (its type, and words it must contain: the argument, what was expected, the fix), a warning, or a result
that a check function accepts. The same rows run in English and, with ``helpers.set_language("zh")``, in Chinese,
where the message must be translated (it goes through the catalog). A test module builds its tests with
``globals().update(slip_tests(SLIPS))``; new helpers get the same treatment by adding rows.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from classroom.notebook import speaking

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Slip:
    """One slip and what it must get.

    Args:
        name: what the learner did, in a few words (the test id).
        call: makes the slip; called fresh in each language.
        error: the exception it must raise, or None.
        warns: the warning it must give, or None.
        says: words the error's or warning's text must contain, in English.
        result: for a slip that must be handled (not refused): a function of the call's result that is True when
            the result is right.
        translated: the message reaches the learner in their language (through the catalog); False for a message
            only a programmer sees.
    """

    name: str
    call: Callable[[], Any]
    error: type[BaseException] | None = None
    warns: type[Warning] | None = None
    says: tuple[str, ...] = ()
    result: Callable[[Any], bool] | None = None
    translated: bool = True

    def __post_init__(self) -> None:
        if (self.error is None) == (self.warns is None) and self.result is None:
            raise ValueError(f"slip {self.name!r}: say what it must get: an error, a warning or a result check")

    def run(self, language: str = "en") -> str:
        """Make the slip in ``language``; assert it gets what it must; return the message it got ('' if none)."""
        with speaking(language):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if self.error is not None:
                    with pytest.raises(self.error) as raised:
                        self.call()
                    message = str(raised.value)
                else:
                    value = self.call()
                    if self.result is not None:
                        assert self.result(value), f"{self.name}: the result is not right: {value!r}"
                    message = ""
            if self.warns is not None:
                matching = [w for w in caught if issubclass(w.category, self.warns)]
                assert matching, f"{self.name}: no {self.warns.__name__}; got {[str(w.message) for w in caught]}"
                message = str(matching[0].message)
        return message


def slip_tests(slips: list[Slip]) -> dict[str, Callable]:
    """The tests of a table of slips, to put into a test module with ``globals().update``."""
    names = [slip.name for slip in slips]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"two slips share a name: {duplicates}"

    @pytest.mark.parametrize("slip", slips, ids=names)
    def test_the_slip_gets_a_clear_answer(slip: Slip) -> None:
        message = slip.run("en")
        missing = [word for word in slip.says if word not in message]
        assert not missing, f"{slip.name}: the message lacks {missing}:\n{message}"

    translated = [s for s in slips if s.translated and (s.error or s.warns)]

    @pytest.mark.parametrize("slip", translated, ids=[s.name for s in translated])
    def test_the_slip_is_answered_in_chinese_in_the_chinese_edition(slip: Slip) -> None:
        message = slip.run("zh")
        assert CJK.search(message), f"{slip.name}: the message is not translated (mark it with _()):\n{message}"

    tests = {"test_the_slip_gets_a_clear_answer": test_the_slip_gets_a_clear_answer}
    if translated:
        tests["test_the_slip_is_answered_in_chinese_in_the_chinese_edition"] = (
            test_the_slip_is_answered_in_chinese_in_the_chinese_edition)
    return tests
