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

Checker = Callable[[Any], "str | None"]

_ID_PATTERN = re.compile(r"^\d\d\.\d+$")
_REGISTRY: dict[str, Checker] = {}


class Status(Enum):
    """How an answer fared."""

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
        """The one line a learner sees."""
        icon = {Status.CORRECT: "✅", Status.NOT_YET: "❌", Status.NOT_ATTEMPTED: "⬜"}[self.status]
        return f"{icon} Exercise {self.exercise_id}: {self.status.value} — {self.message}"


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
        return Result(exercise_id, Status.NOT_ATTEMPTED, "replace the `...` with your answer and run the cell again.")
    try:
        note = _REGISTRY[exercise_id](answer)
    except NotYet as wrong:
        return Result(exercise_id, Status.NOT_YET, str(wrong))
    except Exception as error:  # a learner's answer may break a checker in any way
        return Result(
            exercise_id,
            Status.NOT_YET,
            f"checking your answer raised {type(error).__name__}: {error}",
        )
    return Result(exercise_id, Status.CORRECT, note or "well done!")


def check(exercise_id: str, answer: Any) -> None:
    """Print one line saying whether ``answer`` solves ``exercise_id``; never raises on the answer."""
    print(evaluate(exercise_id, answer).line())


# ---- building blocks for checkers -------------------------------------------------------


def a_type(value_or_type: Any) -> str:
    """The type's name with its article, for hints: 'an int', 'a Tensor', 'a list'."""
    name = value_or_type.__name__ if isinstance(value_or_type, type) else type(value_or_type).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def expect_type(value: Any, types: type | tuple[type, ...], what: str = "your answer") -> None:
    """Raise NotYet unless ``value`` is an instance of ``types``.

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
        names = " or ".join(a_type(t) for t in wanted)
        raise NotYet(f"{what} should be {names}, but it is {a_type(value)}.")


def expect_equal(value: Any, expected: Any, what: str = "your answer", hint: str = "") -> None:
    """Raise NotYet unless ``value == expected``."""
    if value != expected:
        raise NotYet(f"{what} is {value!r}, not what was asked.{' ' + hint if hint else ''}")


def expect_tensor(
    value: Any,
    expected: torch.Tensor,
    what: str = "your answer",
    *,
    hint: str = "",
    check_dtype: bool = True,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """Raise NotYet unless ``value`` is a tensor with ``expected``'s shape, dtype and values."""
    suffix = f" Hint: {hint}" if hint else ""
    expect_type(value, torch.Tensor, what)
    if tuple(value.shape) != tuple(expected.shape):
        raise NotYet(f"{what} has shape {tuple(value.shape)}, expected {tuple(expected.shape)}.{suffix}")
    if check_dtype and value.dtype != expected.dtype:
        raise NotYet(f"{what} has dtype {value.dtype}, expected {expected.dtype}.{suffix}")
    got = value.detach().cpu()
    want = expected.detach().cpu()
    if got.dtype != want.dtype:
        got, want = got.double(), want.double()
    if not torch.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True):
        worst = (got.double() - want.double()).abs().max().item()
        raise NotYet(f"{what} has the right shape but different values (largest difference {worst:.3g}).{suffix}")


def expect_all(conditions: Iterable[tuple[bool, str]]) -> None:
    """Raise NotYet with the message of the first condition that is False."""
    for ok, message in conditions:
        if not ok:
            raise NotYet(message)
