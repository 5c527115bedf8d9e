"""The airline scorer: the fee verdict for every answer, trip measures for a read trip."""

from __future__ import annotations

import json

import pytest

from ptp.tasks.airline import AirlineProblem, Bag, TripInfo, compute_total
from ptp.tasks.airline._example import EXAMPLE_INFO, EXAMPLE_PROMPT
from ptp.tasks.airline._score import TripAnswer, score, trip_metrics

PROBLEM = AirlineProblem(
    task_id="example", prompt=EXAMPLE_PROMPT, info=EXAMPLE_INFO, answer=1245, complexity=0,
    style="template", source="rulearena comp_0 line 1",
)  # fmt: skip
N = len(EXAMPLE_INFO.bag_list)  # 5 items
FIELDS = 4 + 4 * N
TRIP_KEYS = {"field_accuracy", "items_exact", "trip_exact", "right_fee_wrong_trip"}


def _bags(change: dict[int, dict]) -> list[Bag]:
    return [b.model_copy(update=change.get(i, {})) for i, b in enumerate(EXAMPLE_INFO.bag_list)]


def _read(**update: object) -> TripAnswer:
    trip = EXAMPLE_INFO.model_copy(update=update)
    return TripAnswer(total=compute_total(trip), trip=trip)


def test_example_total_is_the_benchmark_answer() -> None:
    assert compute_total(EXAMPLE_INFO) == PROBLEM.answer


@pytest.mark.parametrize("answer", ["The total is $1,245.", 1245, "USD 1,245.00"])
def test_plain_answers_get_the_fee_verdict_only(answer: object) -> None:
    verdict = score(answer, PROBLEM)
    assert verdict.correct and verdict.value == 1.0 and verdict.answer == answer
    assert not TRIP_KEYS & set(verdict.metadata)


def test_plain_wrong_and_missing_answers() -> None:
    assert not score("$1,244", PROBLEM).correct
    assert not score(None, PROBLEM).correct
    assert score(None, PROBLEM).metadata == {}


def test_exact_trip() -> None:
    verdict = score(TripAnswer(total=1245, trip=EXAMPLE_INFO), PROBLEM)
    assert verdict.correct and verdict.answer == 1245 and verdict.expected == 1245
    meta = verdict.metadata
    assert meta["field_accuracy"] == 1.0 and meta["items_exact"] == 1.0
    assert meta["trip_exact"] is True and meta["right_fee_wrong_trip"] is False
    assert meta["fields_compared"] == FIELDS
    assert TripInfo.model_validate(meta["trip"]) == EXAMPLE_INFO
    json.dumps(verdict.model_dump())  # the row stays plain JSON


def test_right_fee_from_a_wrong_trip_is_counted() -> None:
    # length and width swapped: the same linear size, so the same fee, but two wrong fields
    swapped = _bags({2: {"size": (18, 34, 12)}})
    answer = _read(bag_list=swapped)
    assert answer.total == PROBLEM.answer
    verdict = score(answer, PROBLEM)
    meta = verdict.metadata
    assert verdict.correct
    assert meta["right_fee_wrong_trip"] is True and meta["trip_exact"] is False
    assert meta["field_accuracy"] == pytest.approx((FIELDS - 2) / FIELDS)
    assert meta["items_exact"] == pytest.approx((N - 1) / N)


def test_wrong_fee_from_a_wrong_trip_is_not_right_fee_wrong_trip() -> None:
    meta = score(_read(base_price=181), PROBLEM).metadata
    assert meta["right_fee_wrong_trip"] is False and meta["trip_exact"] is False
    assert meta["field_accuracy"] == pytest.approx((FIELDS - 1) / FIELDS)
    assert meta["items_exact"] == 1.0


def test_each_trip_field_counts_once() -> None:
    for update in ({"customer_class": "First"}, {"routine": "Europe"}, {"base_price": 1}):
        meta = trip_metrics(EXAMPLE_INFO.model_copy(update=update), EXAMPLE_INFO)
        assert meta["field_accuracy"] == pytest.approx((FIELDS - 1) / FIELDS), update


def test_direction_counts_only_outside_the_us() -> None:
    flipped = EXAMPLE_INFO.model_copy(update={"direction": 1})
    assert trip_metrics(flipped, EXAMPLE_INFO)["trip_exact"] is True  # U.S. to U.S.
    abroad = EXAMPLE_INFO.model_copy(update={"routine": "Europe"})
    meta = trip_metrics(abroad.model_copy(update={"direction": 1}), abroad)
    assert meta["trip_exact"] is False
    assert meta["field_accuracy"] == pytest.approx((FIELDS - 1) / FIELDS)


def test_missing_and_extra_items_are_wrong_items() -> None:
    short = EXAMPLE_INFO.model_copy(update={"bag_list": EXAMPLE_INFO.bag_list[:-1]})
    meta = trip_metrics(short, EXAMPLE_INFO)
    assert meta["items_exact"] == pytest.approx((N - 1) / N)
    assert meta["field_accuracy"] == pytest.approx((FIELDS - 4) / FIELDS)
    extra = [*EXAMPLE_INFO.bag_list, EXAMPLE_INFO.bag_list[0]]
    meta = trip_metrics(EXAMPLE_INFO.model_copy(update={"bag_list": extra}), EXAMPLE_INFO)
    assert meta["items_exact"] == pytest.approx(N / (N + 1))
    assert meta["fields_compared"] == FIELDS + 4 and meta["trip_exact"] is False


def test_no_trip_read_scores_zero() -> None:
    verdict = score(TripAnswer(), PROBLEM)
    meta = verdict.metadata
    assert not verdict.correct and verdict.answer is None
    assert meta["field_accuracy"] == 0.0 and meta["items_exact"] == 0.0
    assert meta["trip_exact"] is False and meta["right_fee_wrong_trip"] is False
    assert meta["trip"] is None and meta["fields_compared"] == FIELDS
