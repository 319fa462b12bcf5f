import numpy as np
import pytest
import torch

from helpers import check as check_module
from helpers.check import (
    NotYet,
    Status,
    a_type,
    check,
    evaluate,
    exercise,
    expect_all,
    expect_equal,
    expect_tensor,
    expect_type,
)


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry (with the real checkers loaded first), plus test exercises."""
    check_module.registered_ids()
    private = dict(check_module._REGISTRY)
    monkeypatch.setattr(check_module, "_REGISTRY", private)

    @exercise("98.1")
    def zeros_3x4(answer):
        expect_tensor(answer, torch.zeros(3, 4, dtype=torch.long), hint="look at torch.zeros and dtype=")

    @exercise("98.2")
    def with_note(answer):
        expect_equal(answer, 42)
        return "42 it is."

    @exercise("98.3")
    def broken_by_answer(answer):
        return answer.no_such_attribute

    return private


def test_correct_answer(registry, capsys):
    check("98.1", torch.zeros(3, 4, dtype=torch.long))
    assert capsys.readouterr().out == "✅ Exercise 98.1: correct — well done!\n"


def test_note_of_a_correct_answer(registry):
    assert evaluate("98.2", 42).line() == "✅ Exercise 98.2: correct — 42 it is."


def test_not_attempted(registry, capsys):
    check("98.1", ...)
    out = capsys.readouterr().out
    assert out.startswith("⬜ Exercise 98.1: not attempted") and out.count("\n") == 1


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (torch.zeros(4, 3, dtype=torch.long), "has shape (4, 3), expected (3, 4)"),
        (torch.zeros(3, 4), "has dtype torch.float32, expected torch.int64"),
        (torch.ones(3, 4, dtype=torch.long), "different values (largest difference 1)"),
        ([[0] * 4] * 3, "should be a Tensor, but it is a list"),
    ],
)
def test_wrong_answers_get_a_hint_and_never_raise(registry, capsys, answer, fragment):
    result = evaluate("98.1", answer)
    assert result.status is Status.NOT_YET and not result.passed
    assert fragment in result.message
    check("98.1", answer)
    out = capsys.readouterr().out
    assert out.startswith("❌ Exercise 98.1: not yet") and out.count("\n") == 1


def test_hint_is_shown_only_for_wrong_shapes_and_values(registry):
    assert "Hint: look at torch.zeros" in evaluate("98.1", torch.zeros(2)).message


def test_an_answer_that_breaks_the_checker_is_not_yet(registry):
    result = evaluate("98.3", 5)
    assert result.status is Status.NOT_YET
    assert "raised AttributeError" in result.message


def test_unknown_exercise_is_a_clear_error(registry):
    with pytest.raises(ValueError, match=r"no checker is registered for exercise '97.1'"):
        evaluate("97.1", 1)


@pytest.mark.parametrize("bad", ["1.1", "01-1", 11, "01.x"])
def test_malformed_ids(bad):
    with pytest.raises(ValueError, match="exercise_id must be a string like '01.2'"):
        evaluate(bad, 1)
    with pytest.raises(ValueError, match="exercise_id must be a string like '01.2'"):
        exercise(bad)


def test_registering_twice_is_refused(registry):
    with pytest.raises(ValueError, match="exercise '98.1' already has a checker"):
        exercise("98.1")(lambda answer: None)


def test_expect_tensor_compares_across_devices_and_tolerances():
    expect_tensor(torch.tensor([1.0, 2.0]) + 1e-7, torch.tensor([1.0, 2.0]))
    with pytest.raises(NotYet):
        expect_tensor(torch.tensor([1.0, 2.1]), torch.tensor([1.0, 2.0]))
    expect_tensor(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]), check_dtype=False)


def test_expect_type_and_all():
    expect_type(3, (int, float))
    with pytest.raises(NotYet, match="should be an int or a float, but it is a str"):
        expect_type("3", (int, float))
    expect_all([(True, "never shown")])
    with pytest.raises(NotYet, match="second"):
        expect_all([(True, "first"), (False, "second"), (False, "third")])


@pytest.mark.parametrize("number", [7, np.int64(7), np.int32(7), np.uint8(7)], ids=repr)
def test_expect_type_accepts_any_integral_number_where_an_int_is_expected(number):
    expect_type(number, int)
    expect_type(number, (int, float))


@pytest.mark.parametrize("not_an_int", [True, 7.0, np.float64(7.0), "7", torch.tensor(7)], ids=repr)
def test_expect_type_refuses_other_things_where_an_int_is_expected(not_an_int):
    with pytest.raises(NotYet, match=r"should be an int, but it is an? \w+\.$"):
        expect_type(not_an_int, int)


def test_expect_type_takes_a_bool_only_where_a_bool_is_expected():
    expect_type(True, bool)
    expect_type(False, (int, bool))


@pytest.mark.parametrize(
    "thing, words",
    [(3, "an int"), (int, "an int"), (torch.zeros(1), "a Tensor"), ([], "a list"), (1.5, "a float"), (object(), "an object")],
)
def test_a_type_names_a_type_with_its_article(thing, words):
    assert a_type(thing) == words


# ---- judging from plain data (the classroom grader's path) -----------------------------------------------------


class _Sly(torch.Tensor):
    """A tensor that says yes to every comparison."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


class _Slick(float):
    """A float equal to everything."""

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.fixture
def with_cases(registry):
    """98.4: a function answer, judged on the example (2) and on inputs the grader draws (other seeds)."""

    def cases(seed):
        return 2 if seed is None else 3 + seed % 5

    def call(answer, case):
        return answer(case)

    @exercise("98.4", observe=call, cases=cases)
    def doubles(seen, case):
        expect_equal(seen, 2 * case, hint="double it")

    return registry


@pytest.mark.parametrize("liar", [torch.zeros(3, 4, dtype=torch.long).as_subclass(_Sly), [_Slick(0.0)]], ids=repr)
def test_a_subclass_that_lies_is_not_plain_data(registry, liar):
    assert torch.equal(liar, torch.ones(1)) if isinstance(liar, torch.Tensor) else liar[0] == 42  # it does lie
    result = evaluate("98.1", liar)
    assert result.status is Status.NOT_YET and "plain data" in result.message and "_S" in result.message
    graded = check_module.judge_for_grader("98.1", check_module.observe_for_grader("98.1", liar, 7), 7)
    assert (graded.status, graded.message) == (result.status, result.message)


def test_the_grader_calls_a_function_answer_on_inputs_of_its_own(with_cases):
    def right(x):
        return 2 * x

    def only_the_example(x):
        return 4

    for answer in (right, only_the_example):
        assert evaluate("98.4", answer).passed
    for seed in (1, 2, 3):
        data = check_module.observe_for_grader("98.4", right, seed)
        assert check_module.judge_for_grader("98.4", data, seed).passed
        data = check_module.observe_for_grader("98.4", only_the_example, seed)
        verdict = check_module.judge_for_grader("98.4", data, seed)
        assert verdict.status is Status.NOT_YET and "other inputs the grader chose" in verdict.message
    # data observed on other inputs than the grader draws (a kernel told a wrong seed) are judged against its own
    assert not check_module.judge_for_grader("98.4", check_module.observe_for_grader("98.4", right, 1), 2).passed


def test_a_forged_report_earns_only_what_its_values_earn(with_cases):
    dump, judge = check_module.dump, check_module.judge_for_grader
    assert judge("98.2", dump({"example": {"seen": 42}}), 1).passed  # the right value: the exercise is solved
    assert not judge("98.2", dump({"example": {"seen": 41}}), 1).passed
    assert not judge("98.2", dump({"example": {"not yet": "x", "seen": 42}}), 1).passed
    assert not judge("98.2", dump({"example": {"status": "correct"}}), 1).passed
    assert judge("98.2", dump({"not attempted": True}), 1).status is Status.NOT_ATTEMPTED
    assert not judge("98.4", dump({"example": {"seen": 4}, "chosen": {"seen": 4}}), 1).passed  # the example only
    for malformed in ({"example": {"seen": 42}, "extra": 1}, {"example": {"seen": 4}}, [42], "correct", None):
        with pytest.raises(check_module.NotData):
            judge("98.4" if isinstance(malformed, dict) else "98.2", dump(malformed), 1)


@pytest.mark.parametrize(
    "data, why",
    [
        (b"not a torch file", "UnpicklingError"),
        (check_module.dump(torch.ones(1).expand(10**6, 10**6)), "repeats its memory"),
        (check_module.dump(torch.zeros(check_module.MAX_ELEMENTS + 1, dtype=torch.uint8)), "more than"),
        (check_module.dump(["x"] * (check_module.MAX_ITEMS + 1)), "more than"),
        (check_module.dump(torch.eye(3).to_sparse()), "sparse"),
        (check_module.dump(np.arange(3)), "Weights only load failed"),
        (check_module.dump(functools_partial := __import__("functools").partial(int, "3")), "Weights only"),
    ],
    ids=["garbage", "expanded", "too many numbers", "too many items", "sparse", "numpy", "callable"],
)
def test_load_takes_only_small_plain_data(data, why):
    with pytest.raises(check_module.NotData, match=why):
        check_module.load(data)


def test_a_container_that_holds_itself_is_refused_not_looped_over(registry):
    loop = []
    loop.append(loop)
    result = evaluate("98.2", loop)
    assert result.status is Status.NOT_YET and "plain data" in result.message


def test_an_observers_kind_is_worded_in_a_judge_as_the_value_itself_would_be():
    import collections

    for value in (np.arange(3), collections.OrderedDict(), torch.nn.Linear(1, 1), 3, "x", None):
        seen = check_module.load(check_module.dump(check_module.plain_or_kind(value)))
        with pytest.raises(NotYet) as from_kind:
            check_module.expect_seen(seen, torch.Tensor, "what came back")
        with pytest.raises(NotYet) as from_value:
            expect_type(value, torch.Tensor, "what came back")
        assert str(from_kind.value) == str(from_value.value)
    tensor = torch.ones(2, requires_grad=True) * 2
    seen = check_module.plain_or_kind(tensor)
    assert type(seen) is torch.Tensor and seen.grad_fn is None and torch.equal(seen, tensor.detach())
    check_module.expect_seen(seen, torch.Tensor)
    assert check_module.kind_named({"kind": "ndarray"}) == "ndarray"
    assert check_module.kind_named({"kind": "ndarray", "x": 1}) is None and check_module.kind_named("ndarray") is None
