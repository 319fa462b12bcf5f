"""The slips table (tests/slips.py) can fail: a slip that goes through, a wrong result, a row that expects nothing;
and a refused slip gets its message in the learner's language."""

from __future__ import annotations

import pytest

from helpers.config import smoke_mode
from tests.slips import Slip


def test_a_row_fails_when_the_slip_goes_through():
    with pytest.raises(pytest.fail.Exception):
        Slip("no error", lambda: 1, error=ValueError).run()


def test_a_row_fails_when_a_result_is_wrong():
    with pytest.raises(AssertionError):
        Slip("wrong result", lambda: 1, result=lambda value: value == 2).run()


def test_a_row_must_say_what_it_expects():
    with pytest.raises(ValueError, match="say what it must get"):
        Slip("nothing", lambda: 1)


def test_a_row_gets_the_message_in_either_language(monkeypatch):
    monkeypatch.setenv("COURSE_SMOKE", "maybe")
    slip = Slip("smoke typo", smoke_mode, error=ValueError, says=("COURSE_SMOKE", "got 'maybe'"))
    english, chinese = slip.run("en"), slip.run("zh")
    assert "got 'maybe'" in english and "COURSE_SMOKE" in chinese and chinese != english
