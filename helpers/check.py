"""Exercise checks: each prints one friendly line and never raises on a learner's answer.

A notebook's exercise cell looks like this::

    answer = ...            # your code here
    check("01.1", answer)

Checkers live in ``helpers/exercises/<topic>.py``. Each is registered with ``@exercise("01.1", ...)`` and comes in
two parts, so that a grader can judge an answer without trusting the kernel that holds it:

- ``observe(answer)`` runs where the answer lives (the learner's kernel): it turns the answer into *plain data*
  (tensors, numbers, strings, ``None``, lists, tuples and dicts of these), calling it first when it is a function.
  The default takes the answer itself.
- the decorated function, the *judge*, gets only that data back, through ``torch.save`` and
  ``torch.load(weights_only=True)``: no object of the learner's survives the trip, so no Tensor or float subclass can
  lie to it. It returns normally when the answer is right (optionally returning a short note) and raises
  :class:`NotYet` with a hint when it is not; it computes what it expects itself.

An exercise whose answer is a function also gives ``cases(seed)``: the inputs to call it on. ``cases(None)`` is the
exercise's own example, the one the learner's ``check`` uses and its hints name; any other seed draws other inputs
(with a private generator), and then ``observe(answer, case)`` and ``judge(seen, case)`` take the case too. The
classroom grader (``classroom/grade.py``) uses :func:`observe_for_grader` in the learner's kernel, with a seed chosen
at grading time, and :func:`judge_for_grader` in its own process.
"""

from __future__ import annotations

import importlib
import io
import numbers
import pkgutil
import re
import warnings
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable

import torch

from helpers.i18n import _

Checker = Callable[..., "str | None"]  # the judge: (seen) or (seen, case) -> note; raises NotYet

_ID_PATTERN = re.compile(r"^\d\d\.\d+$")
_REGISTRY: dict[str, Exercise] = {}
# What an observation may hold, at most (a grader loads observations a hostile kernel made): elements of all its
# tensors together, and items of its lists, tuples, dicts and strings (characters) together.
MAX_ELEMENTS = 4_000_000
MAX_ITEMS = 200_000


class Status(Enum):
    """How an answer fared (the values are the English words; :meth:`Result.line` shows them translated)."""

    CORRECT = "correct"
    NOT_YET = "not yet"
    NOT_ATTEMPTED = "not attempted"


class NotYet(Exception):
    """Raised by a checker when an answer is wrong; its message is the hint shown."""


class NotData(ValueError):
    """An observation that is not plain data, or too large: the judge never sees it."""


def as_data(answer: Any) -> Any:
    """The default ``observe``: the answer itself (it must be plain data: a tensor, a number, a string...)."""
    return answer


@dataclass(frozen=True)
class Exercise:
    """One exercise's check: what to observe of an answer, how to judge it, and (function answers) on what inputs."""

    exercise_id: str
    judge: Checker
    observe: Callable[..., Any] = as_data
    cases: Callable[[int | None], Any] | None = None

    def case(self, seed: int | None) -> Any:
        return None if self.cases is None else self.cases(seed)

    def look(self, answer: Any, case: Any) -> Any:
        """Observe ``answer`` (on ``case``), as plain data; NotYet when that fails for a reason the learner can fix."""
        seen = self.observe(answer) if self.cases is None else self.observe(answer, case)
        odd = _not_plain(seen)
        try:
            if odd is not None:
                raise NotData(odd)
            return load(dump(seen))
        except NotData:
            if odd is None:
                raise NotYet(_("the check could not read your answer as plain data: it takes tensors, numbers, "
                               "strings, lists, tuples and dicts of these.")) from None
            raise NotYet(
                _(
                    "the check could not read your answer as plain data: it is or holds {kind}, and the check "
                    "takes tensors, numbers, strings, lists, tuples and dicts of these (a NumPy value or an object "
                    "of your own class is none of them)."
                ).format(kind=a_kind(odd))
            ) from None

    def verdict(self, seen: Any, case: Any) -> str | None:
        return self.judge(seen) if self.cases is None else self.judge(seen, case)


_PLAIN = (bool, int, float, complex, str, bytes, type(None), torch.Tensor, torch.nn.Parameter, torch.dtype, torch.Size,
          torch.device)


def _not_plain(seen: Any) -> str | None:
    """The type name of the first value in ``seen`` that is not exactly a plain type (a subclass is not), or None."""
    stack, visited = [seen], set()
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind in (list, tuple, set, frozenset, dict):
            if id(value) in visited or len(visited) > MAX_ITEMS:
                continue  # a container that holds itself, or a huge one: dump and load decide
            visited.add(id(value))
        if kind in (list, tuple, set, frozenset):
            stack.extend(value)
        elif kind is dict:
            stack.extend(value.keys())
            stack.extend(value.values())
        elif kind not in _PLAIN:
            return kind.__name__
    return None


def dump(seen: Any) -> bytes:
    """``seen`` as bytes (``torch.save``); NotData when it holds something else than plain data."""
    buffer = io.BytesIO()
    try:
        torch.save(seen, buffer)
    except Exception as error:  # an object pickle cannot save (a lambda, a generator, an open file...)
        raise NotData(f"{type(error).__name__}: {error}") from None
    return buffer.getvalue()


def load(data: bytes) -> Any:
    """The plain data in ``data`` (made by :func:`dump`), loaded with ``weights_only=True``, or NotData.

    Safe on bytes from anyone: only plain types come back (no class of the sender's), on the CPU, and no more than
    ``MAX_ELEMENTS`` tensor elements and ``MAX_ITEMS`` items, none of them a view that claims more elements than its
    memory holds.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise NotData(f"expected bytes, got {type(data).__name__}")
    try:
        with warnings.catch_warnings():  # what torch says about odd data (a sparse tensor's check...) is refused below
            warnings.simplefilter("ignore")
            seen = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise NotData(f"{type(error).__name__}: {first[:200]}") from None
    _measure(seen)
    return seen


def _measure(seen: Any) -> None:
    elements = items = 0
    stack, depth = [(seen, 0)], 0
    while stack:
        value, depth = stack.pop()
        if depth > 50:
            raise NotData("nested more than 50 levels deep")
        if isinstance(value, torch.Tensor):
            if value.layout != torch.strided or value.is_quantized or value.is_nested:
                raise NotData(f"a {value.layout} tensor")
            if value.numel() * value.element_size() > value.untyped_storage().nbytes():
                raise NotData("a tensor that repeats its memory (an expanded view)")
            elements += value.numel()
            if value.grad is not None:
                stack.append((value.grad, depth + 1))
        elif isinstance(value, (str, bytes, bytearray)):
            items += len(value)
        elif isinstance(value, dict):
            items += len(value)
            stack.extend((v, depth + 1) for pair in value.items() for v in pair)
        elif isinstance(value, (list, tuple, set, frozenset)):
            items += len(value)
            stack.extend((v, depth + 1) for v in value)
        if elements > MAX_ELEMENTS or items > MAX_ITEMS:
            raise NotData(f"more than {MAX_ELEMENTS:,} numbers or {MAX_ITEMS:,} items")


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


def exercise(
    exercise_id: str, *, observe: Callable[..., Any] = as_data, cases: Callable[[int | None], Any] | None = None
) -> Callable[[Checker], Checker]:
    """Register the decorated function as the judge of ``exercise_id`` (see the module's docstring).

    ``observe(answer)`` (or ``observe(answer, case)`` with ``cases``) turns an answer into plain data; the judge gets
    that data (and the case) back. ``cases(seed)`` gives the inputs a function answer is called on: ``None`` is the
    exercise's own example.
    """
    _validate_id(exercise_id)

    def register(judge: Checker) -> Checker:
        known = _REGISTRY.get(exercise_id)
        if known is not None and known.judge is not judge:
            raise ValueError(f"exercise {exercise_id!r} already has a checker: {known.judge!r}")
        _REGISTRY[exercise_id] = Exercise(exercise_id, judge, observe, cases)
        return judge

    return register


def _load_checkers() -> None:
    import helpers.exercises as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def registered_ids() -> list[str]:
    """Return the ids of every exercise that has a checker, sorted."""
    _load_checkers()
    return sorted(_REGISTRY)


def get_exercise(exercise_id: str) -> Exercise:
    """The registered exercise; ValueError for a malformed or unknown id (a mistake in the notebook, not the answer)."""
    _validate_id(exercise_id)
    _load_checkers()
    if exercise_id not in _REGISTRY:
        raise ValueError(
            f"no checker is registered for exercise {exercise_id!r}; known: {', '.join(sorted(_REGISTRY)) or 'none'}"
        )
    return _REGISTRY[exercise_id]


def _not_attempted(exercise_id: str) -> Result:
    return Result(exercise_id, Status.NOT_ATTEMPTED, _("replace the `...` with your answer and run the cell again."))


def _raised(error: Exception) -> str:
    return _("checking your answer raised {error_type}: {error}").format(error_type=type(error).__name__, error=error)


def _observe(ex: Exercise, answer: Any, case: Any) -> dict[str, Any]:
    """What ``answer`` shows on ``case``: {"seen": plain data} or {"not yet": hint}."""
    try:
        return {"seen": ex.look(answer, case)}
    except NotYet as wrong:
        return {"not yet": str(wrong)}
    except Exception as error:  # a learner's answer may break an observer in any way
        return {"not yet": _raised(error)}


def _judge(ex: Exercise, report: Any, case: Any) -> tuple[Status, str]:
    """The verdict on one observation (as :func:`_observe` made it, or as anyone claims it did)."""
    if isinstance(report, dict) and isinstance(report.get("not yet"), str) and "seen" not in report:
        return Status.NOT_YET, report["not yet"]
    if not isinstance(report, dict) or set(report) != {"seen"}:
        return Status.NOT_YET, _("the check got no observation of your answer; run the exercise cell again.")
    try:
        note = ex.verdict(report["seen"], case)
    except NotYet as wrong:
        return Status.NOT_YET, str(wrong)
    except Exception as error:  # unexpected data may break a judge in any way
        return Status.NOT_YET, _raised(error)
    return Status.CORRECT, note or _("well done!")


def evaluate(exercise_id: str, answer: Any) -> Result:
    """Check ``answer`` for ``exercise_id`` (on the exercise's own example) and return the :class:`Result`.

    The answer is observed, its observation goes through ``torch.save``/``torch.load(weights_only=True)`` and the
    judge sees only that: the same path as the classroom grader's, so that a learner's notebook and the grade agree.
    Raises ValueError only for an unknown exercise id (a mistake in the notebook, not the answer).
    """
    ex = get_exercise(exercise_id)
    if answer is Ellipsis:
        return _not_attempted(exercise_id)
    status, message = _judge(ex, _observe(ex, answer, ex.case(None)), ex.case(None))
    return Result(exercise_id, status, message)


def observe_for_grader(exercise_id: str, answer: Any, seed: int) -> bytes:
    """In the learner's kernel: what the grader needs to judge ``answer``, as bytes (``torch.save``).

    The answer is observed on the exercise's own example and, for a function answer, also on the inputs that
    ``seed`` draws (the grader chooses it at grading time). The hints made here are in the current language.
    """
    ex = get_exercise(exercise_id)
    if answer is Ellipsis:
        return dump({"not attempted": True})
    report = {"example": _observe(ex, answer, ex.case(None))}
    if ex.cases is not None:
        report["chosen"] = _observe(ex, answer, ex.case(seed))
    return dump(report)


def judge_for_grader(exercise_id: str, data: bytes, seed: int) -> Result:
    """In the grader's process: the verdict on what :func:`observe_for_grader` sent, computed here.

    ``data`` comes from a kernel that runs a learner's code, so it is trusted for nothing: it is loaded as plain data
    (NotData when it is not), every expectation is computed here, and the inputs drawn from ``seed`` are drawn here.
    A function answer must be right on the exercise's own example (the same hint as the learner's check gives) and
    on the grader's inputs.
    """
    ex = get_exercise(exercise_id)
    report = load(data)
    if report == {"not attempted": True}:
        return _not_attempted(exercise_id)
    if not isinstance(report, dict) or set(report) != ({"example", "chosen"} if ex.cases else {"example"}):
        raise NotData("not an observation of this exercise")
    status, message = _judge(ex, report["example"], ex.case(None))
    if status is Status.CORRECT and ex.cases is not None:
        other, _hint = _judge(ex, report["chosen"], ex.case(seed))
        if other is not Status.CORRECT:
            return Result(
                exercise_id,
                Status.NOT_YET,
                _(
                    "right on the exercise's own example, but not on the other inputs the grader chose: does your "
                    "answer work for any input, or only for the example?"
                ),
            )
    return Result(exercise_id, status, message)


def check(exercise_id: str, answer: Any) -> None:
    """Print one line saying whether ``answer`` solves ``exercise_id``; never raises on the answer."""
    print(evaluate(exercise_id, answer).line())


# ---- building blocks for checkers -------------------------------------------------------


def a_type(value_or_type: Any) -> str:
    """The type's name with its article, for hints: 'an int', 'a Tensor', 'a list' (in Chinese: the name)."""
    return a_kind(value_or_type.__name__ if isinstance(value_or_type, type) else type(value_or_type).__name__)


def a_kind(name: str) -> str:
    """A type's name (as an observer records it: ``type(answer).__name__``) with its article, like :func:`a_type`."""
    name = str(name)
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
        raise wrong_type(wanted, type(value).__name__, what)


def wrong_type(types: type | tuple[type, ...], actual: str, what: str | None = None) -> NotYet:
    """The hint :func:`expect_type` gives, for a value whose type's name is ``actual`` (as an observer records it)."""
    wanted = types if isinstance(types, tuple) else (types,)
    names = a_type(wanted[0])
    for other in wanted[1:]:
        names = _("{first} or {second}").format(first=names, second=a_type(other))
    return NotYet(
        _("{what} should be {types}, but it is {actual}.").format(
            what=_("your answer") if what is None else what, types=names, actual=a_kind(actual)
        )
    )


def plain_or_kind(value: Any) -> Any:
    """For an observer: ``value`` as plain data if it is a tensor (a detached copy on the CPU), a built-in number,
    a string or None; anything else as ``{"kind": its type's name}``, which :func:`expect_seen` words in a judge as
    :func:`expect_type` words the value itself."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if value is None or type(value) in (bool, int, float, str):
        return value
    return {"kind": type(value).__name__}


def kind_named(seen: Any) -> str | None:
    """The type's name in a ``{"kind": name}`` that :func:`plain_or_kind` made, else None."""
    if isinstance(seen, dict) and set(seen) == {"kind"} and isinstance(seen["kind"], str):
        return seen["kind"]
    return None


def expect_seen(seen: Any, types: type | tuple[type, ...], what: str | None = None) -> None:
    """In a judge: :func:`expect_type` for a value an observer recorded with :func:`plain_or_kind`."""
    kind = kind_named(seen)
    if kind is not None:
        raise wrong_type(types, kind, what)
    expect_type(seen, types, what)


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
