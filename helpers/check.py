"""Exercise checks: each prints one friendly line and never raises on a learner's answer.

A notebook's exercise cell looks like this::

    answer = ...            # your code here
    check("01.1", answer)

Checkers live in ``helpers/exercises/<topic>.py`` and are registered with
``@exercise("01.1")``. A checker returns normally when the answer is right (optionally
returning a short note) and raises :class:`NotYet` with a hint when it is not.
"""

from __future__ import annotations

import importlib
import numbers
import pkgutil
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable

import torch

from helpers.i18n import _

Checker = Callable[[Any], "str | None"]

_ID_PATTERN = re.compile(r"^\d\d\.\d+$")
_REGISTRY: dict[str, Checker] = {}


class Status(Enum):
    """How an answer fared (the values are the English words; :meth:`Result.line` shows them translated)."""

    CORRECT = "correct"
    NOT_YET = "not yet"
    NOT_ATTEMPTED = "not attempted"


class NotYet(Exception):
    """Raised by a checker when an answer is wrong; its message is the hint shown."""


@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer."""

    exercise_id: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        """True when the answer is correct."""
        return self.status is Status.CORRECT

    def line(self) -> str:
        """The one line a learner sees, in the current language."""
        icon = {Status.CORRECT: "✅", Status.NOT_YET: "❌", Status.NOT_ATTEMPTED: "⬜"}[self.status]
        word = {Status.CORRECT: _("correct"), Status.NOT_YET: _("not yet"), Status.NOT_ATTEMPTED: _("not attempted")}
        return _("{icon} Exercise {exercise_id}: {status} — {message}").format(
            icon=icon, exercise_id=self.exercise_id, status=word[self.status], message=self.message
        )


def _validate_id(exercise_id: object) -> str:
    if not isinstance(exercise_id, str) or not _ID_PATTERN.match(exercise_id):
        raise ValueError(
            f"exercise_id must be a string like '01.2' (notebook number, dot, exercise number), "
            f"got {exercise_id!r}"
        )
    return exercise_id


def exercise(exercise_id: str) -> Callable[[Checker], Checker]:
    """Register the decorated function as the checker of ``exercise_id``."""
    _validate_id(exercise_id)

    def register(checker: Checker) -> Checker:
        if exercise_id in _REGISTRY and _REGISTRY[exercise_id] is not checker:
            raise ValueError(f"exercise {exercise_id!r} already has a checker: {_REGISTRY[exercise_id]!r}")
        _REGISTRY[exercise_id] = checker
        return checker

    return register


def _load_checkers() -> None:
    import helpers.exercises as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def registered_ids() -> list[str]:
    """Return the ids of every exercise that has a checker, sorted."""
    _load_checkers()
    return sorted(_REGISTRY)


def evaluate(exercise_id: str, answer: Any) -> Result:
    """Check ``answer`` for ``exercise_id`` and return the :class:`Result`.

    Raises ValueError only for an unknown exercise id (a mistake in the notebook, not the answer).
    """
    _validate_id(exercise_id)
    _load_checkers()
    if exercise_id not in _REGISTRY:
        raise ValueError(
            f"no checker is registered for exercise {exercise_id!r}; known: {', '.join(sorted(_REGISTRY)) or 'none'}"
        )
    if answer is Ellipsis:
        return Result(
            exercise_id, Status.NOT_ATTEMPTED, _("replace the `...` with your answer and run the cell again.")
        )
    try:
        note = _REGISTRY[exercise_id](answer)
    except NotYet as wrong:
        return Result(exercise_id, Status.NOT_YET, str(wrong))
    except Exception as error:  # a learner's answer may break a checker in any way
        return Result(
            exercise_id,
            Status.NOT_YET,
            _("checking your answer raised {error_type}: {error}").format(
                error_type=type(error).__name__, error=error
            ),
        )
    return Result(exercise_id, Status.CORRECT, note or _("well done!"))


def check(exercise_id: str, answer: Any) -> None:
    """Print one line saying whether ``answer`` solves ``exercise_id``; never raises on the answer."""
    print(evaluate(exercise_id, answer).line())


# ---- building blocks for checkers -------------------------------------------------------


def a_type(value_or_type: Any) -> str:
    """The type's name with its article, for hints: 'an int', 'a Tensor', 'a list' (in Chinese: the name)."""
    name = value_or_type.__name__ if isinstance(value_or_type, type) else type(value_or_type).__name__
    if name[:1].lower() in "aeiou":
        return _("an {type_name}").format(type_name=name)
    return _("a {type_name}").format(type_name=name)


def expect_type(value: Any, types: type | tuple[type, ...], what: str | None = None) -> None:
    """Raise NotYet unless ``value`` is an instance of ``types``.

    ``what`` names the value in the hint, already translated (default: "your answer").
    Where ``int`` is expected, any integral number is accepted (``numpy.int64``, ...), but not a bool.
    """
    wanted = types if isinstance(types, tuple) else (types,)
    if int in wanted:
        others = tuple(t for t in wanted if t is not int)
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        ok = integral or isinstance(value, others)
    else:
        ok = isinstance(value, wanted)
    if not ok:
        names = a_type(wanted[0])
        for other in wanted[1:]:
            names = _("{first} or {second}").format(first=names, second=a_type(other))
        raise NotYet(
            _("{what} should be {types}, but it is {actual}.").format(
                what=_("your answer") if what is None else what, types=names, actual=a_type(value)
            )
        )


def expect_equal(value: Any, expected: Any, what: str | None = None, hint: str = "") -> None:
    """Raise NotYet unless ``value == expected``; ``what`` and ``hint`` come already translated."""
    if value != expected:
        values = {"what": _("your answer") if what is None else what, "value": repr(value), "hint": hint}
        if hint:
            raise NotYet(_("{what} is {value}, not what was asked. {hint}").format(**values))
        raise NotYet(_("{what} is {value}, not what was asked.").format(**values))


def expect_tensor(
    value: Any,
    expected: torch.Tensor,
    what: str | None = None,
    *,
    hint: str = "",
    check_dtype: bool = True,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """Raise NotYet unless ``value`` is a tensor with ``expected``'s shape, dtype and values.

    ``what`` names the value in the hint and ``hint`` is added to a wrong shape, dtype or value; both come already
    translated (``what`` defaults to "your answer").
    """
    what = _("your answer") if what is None else what
    expect_type(value, torch.Tensor, what)
    if tuple(value.shape) != tuple(expected.shape):
        shapes = {"what": what, "shape": tuple(value.shape), "expected": tuple(expected.shape), "hint": hint}
        if hint:
            raise NotYet(_("{what} has shape {shape}, expected {expected}. Hint: {hint}").format(**shapes))
        raise NotYet(_("{what} has shape {shape}, expected {expected}.").format(**shapes))
    if check_dtype and value.dtype != expected.dtype:
        dtypes = {"what": what, "dtype": value.dtype, "expected": expected.dtype, "hint": hint}
        if hint:
            raise NotYet(_("{what} has dtype {dtype}, expected {expected}. Hint: {hint}").format(**dtypes))
        raise NotYet(_("{what} has dtype {dtype}, expected {expected}.").format(**dtypes))
    got = value.detach().cpu()
    want = expected.detach().cpu()
    if got.dtype != want.dtype:
        got, want = got.double(), want.double()
    if not torch.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True):
        worst = (got.double() - want.double()).abs().max().item()
        values = {"what": what, "difference": f"{worst:.3g}", "hint": hint}
        if hint:
            raise NotYet(
                _(
                    "{what} has the right shape but different values (largest difference {difference}). "
                    "Hint: {hint}"
                ).format(**values)
            )
        raise NotYet(
            _("{what} has the right shape but different values (largest difference {difference}).").format(**values)
        )


def expect_all(conditions: Iterable[tuple[bool, str]]) -> None:
    """Raise NotYet with the message of the first condition that is False."""
    for ok, message in conditions:
        if not ok:
            raise NotYet(message)
