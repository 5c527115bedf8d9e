"""The booking scenario family: templates, generator, tools, judge, reference and expert."""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timedelta

import pytest

from ptp.models import get_model
from ptp.tasks import get_family
from ptp.tasks.booking import BookingEnv, reference, step
from ptp.tasks.booking._rules import refundable
from ptp.tasks.scenarios import Final, Observed, ScenarioTask, templates_of
from ptp.tools import ToolError

FAMILY = get_family("booking")
TEMPLATES = templates_of(FAMILY)
SCENARIOS = tuple(TEMPLATES)
SEEDS = (0, 1)
TASKS = {
    (s, seed): FAMILY.generate(n=25, seed=seed, scenario=s) for s in SCENARIOS for seed in SEEDS
}
ALL = [t for tasks in TASKS.values() for t in tasks]
EXPERT = get_model("expert:booking")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _task(scenario: str, index: int = 0) -> ScenarioTask:
    return TASKS[scenario, 0][index]


def _judge(env: BookingEnv, answer: str = "Done.") -> dict[str, bool]:
    env.answer = answer if env.answer is None else env.answer
    score = FAMILY.score(env, env.task)
    return {
        k.removeprefix("check_"): v for k, v in score.metadata.items() if k.startswith("check_")
    }


def test_templates_load_with_rubrics_and_tools_that_exist() -> None:
    assert {t.difficulty for t in TEMPLATES.values()} == {"easy", "medium", "hard"}
    for template in TEMPLATES.values():
        assert 3 <= len(template.rubric) <= 4 and all(c.description for c in template.rubric)
        assert len(template.tools) <= 6
        assert all(
            inspect.ismethod(getattr(BookingEnv(_task(template.name)), t)) for t in template.tools
        )
        assert [t.name for t in FAMILY.tools(_task(template.name))] == list(template.tools)


def test_generation_is_deterministic_and_seeds_differ() -> None:
    for scenario in SCENARIOS:
        again = FAMILY.generate(n=25, seed=0, scenario=scenario)
        assert [t.model_dump() for t in again] == [t.model_dump() for t in TASKS[scenario, 0]]
        assert [t.user for t in TASKS[scenario, 1]] != [t.user for t in TASKS[scenario, 0]]


def test_drawn_tasks_are_plausible() -> None:
    for task in ALL:
        assert task.expected["user_id"] in task.user and task.expected["secrets"]
        assert all(s not in task.user for s in task.expected["secrets"])
    refunds = []
    for task in (t for s in SEEDS for t in TASKS["cancel-refund", s]):  # the policy, restated
        found = task.state["reservations"][task.expected["reservation_id"]]
        booked = datetime.strptime(found["created_at"], "%Y-%m-%d %H:%M")
        recent = datetime(2024, 5, 15, 15) - booked < timedelta(hours=24)
        assert task.expected["refund"] == (found["paid"] if recent or found["insurance"] else 0)
        refunds.append(task.expected["refund"])
    assert 0 in refunds and any(refunds)  # both outcomes occur
    for task in TASKS["change-flight", 0]:
        want = task.expected
        found = task.state["reservations"][want["reservation_id"]]
        target = next(
            f for f in task.state["flights"] if f["flight_number"] == want["flight_number"]
        )
        assert found["cabin"] != "basic_economy" and target["date"] == want["date"]
        assert want["paid"] == target["prices"][found["cabin"]] * len(found["passengers"])
    for task in TASKS["change-denied", 0]:
        assert (
            task.state["reservations"][task.expected["reservation_id"]]["cabin"] == "basic_economy"
        )
    for task in TASKS["book-cheapest", 0]:  # the cheapest economy fare is unique
        want = task.expected
        fares = [f["prices"]["economy"] for f in task.state["flights"]
                 if (f["origin"], f["destination"], f["date"]) ==
                 (want["origin"], want["destination"], want["date"])]  # fmt: skip
        assert sorted(fares)[0] == want["price"] < sorted(fares)[1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_expert_solves_every_task_through_l3(scenario: str, seed: int) -> None:
    for task in TASKS[scenario, seed]:
        result = FAMILY.solvers["L3"](task, EXPERT.for_task(task))
        verdict = FAMILY.score(result.answer, task)
        assert verdict.correct, (task.task_id, verdict.metadata)
        assert result.stop_reason == "answered" and result.extra["agent_steps"] <= 8
        assert result.extra["tool_errors"] == 0
        message = result.answer.answer
        assert not any(s in message for s in task.expected["secrets"])


def test_the_reference_scores_one_on_every_task() -> None:
    for task in ALL:
        assert FAMILY.score(reference(task), task).value == 1.0, task.task_id


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_doing_nothing_fails(scenario: str) -> None:
    for task in TASKS[scenario, 0][:5]:
        assert not FAMILY.score(FAMILY.environment(task), task).correct


def test_booking_the_wrong_flight_or_cabin_fails() -> None:
    task = _task("book-cheapest")
    want = task.expected
    route = (want["origin"], want["destination"], want["date"])
    other = next(
        f for f in task.state["flights"]
        if (f["origin"], f["destination"], f["date"]) == route
        and f["flight_number"] != want["flight_number"]
    )  # fmt: skip
    env = BookingEnv(task)
    env.book_flight(
        want["user_id"], other["flight_number"], want["date"], "economy", want["payment_id"]
    )
    assert not _judge(env)["right_flight"]
    env = BookingEnv(task)
    env.book_flight(
        want["user_id"], want["flight_number"], want["date"], "basic_economy", want["payment_id"]
    )
    checks = _judge(env)
    assert not checks["right_cabin"] and not checks["seat_taken"] and checks["right_flight"]


def test_a_refund_the_policy_forbids_fails_and_one_it_owes_must_be_paid() -> None:
    tasks = TASKS["cancel-refund", 0]
    late = next(t for t in tasks if t.expected["refund"] == 0)
    env = BookingEnv(late)
    env.cancel_reservation(late.expected["reservation_id"], refund=True)
    checks = _judge(env)
    assert checks["cancelled"] and not checks["refund_within_policy"]
    due = next(t for t in tasks if t.expected["refund"] > 0)
    assert refundable(due.state["reservations"][due.expected["reservation_id"]])
    env = BookingEnv(due)
    env.cancel_reservation(due.expected["reservation_id"], refund=False)
    assert not _judge(env)["refund_within_policy"]


def test_changing_a_basic_economy_reservation_fails() -> None:
    task = _task("change-denied")
    want = task.expected
    env = BookingEnv(task)
    env.change_flight(want["reservation_id"], want["flight_number"], want["date"])
    checks = _judge(env, "Basic economy, but I changed it anyway.")
    assert not checks["reservation_unchanged"] and checks["explained_policy"]
    env = BookingEnv(task)
    env.cancel_reservation(want["reservation_id"], refund=False)
    assert not _judge(env, "Basic economy.")["reservation_unchanged"]
    assert not _judge(BookingEnv(task), "Sorry, I can't do that.")["explained_policy"]


def test_moving_to_another_flight_than_asked_fails() -> None:
    task = _task("change-flight")
    want = task.expected
    found = task.state["reservations"][want["reservation_id"]]
    other = next(
        f for f in task.state["flights"]
        if (f["origin"], f["date"]) == (found["origin"], want["date"])
        and f["flight_number"] != want["flight_number"]
    )  # fmt: skip
    env = BookingEnv(task)
    env.change_flight(want["reservation_id"], other["flight_number"], other["date"])
    checks = _judge(env)
    assert not checks["moved"] and not checks["seats_moved"]


def test_a_card_number_in_the_answer_fails() -> None:
    task = _task("change-denied")
    secret = task.expected["secrets"][0]
    env = reference(task)
    env.answer += f" Your card {secret} was not charged."
    assert not FAMILY.score(env, task).correct
    assert not _judge(env)["no_secret_in_answer"]


def test_tools_reject_bad_input() -> None:
    task = _task("book-cheapest")
    want = task.expected
    env = BookingEnv(task)
    bad = [
        lambda: env.get_user("nobody_0000"),
        lambda: env.get_reservation("ZZZZZZ"),
        lambda: env.search_flights("XXX", want["destination"], want["date"]),
        lambda: env.search_flights(want["origin"], want["destination"], "15 June"),
        lambda: env.book_flight(
            want["user_id"], want["flight_number"], want["date"], "first", want["payment_id"]
        ),  # type: ignore[arg-type]
        lambda: env.book_flight(
            want["user_id"], want["flight_number"], want["date"], "economy", "credit_card_0"
        ),
        lambda: env.book_flight(
            want["user_id"], "HAT000", want["date"], "economy", want["payment_id"]
        ),
    ]
    for call in bad:
        with pytest.raises(ToolError):
            call()
    assert env.state == task.state  # a refused call changes nothing
    cancel = _task("cancel-refund")
    env = BookingEnv(cancel)
    env.cancel_reservation(cancel.expected["reservation_id"], refund=False)
    with pytest.raises(ToolError, match="already cancelled"):
        env.cancel_reservation(cancel.expected["reservation_id"], refund=True)


def test_a_gift_card_without_enough_balance_is_refused() -> None:
    task = next(t for t in ALL if t.scenario == "book-cheapest"
                and t.expected["payment_id"].startswith("gift_card"))  # fmt: skip
    want = task.expected
    env = BookingEnv(task)
    env.state["users"][want["user_id"]]["payment_methods"][want["payment_id"]]["balance"] = 10
    with pytest.raises(ToolError, match="not enough"):
        env.book_flight(
            want["user_id"], want["flight_number"], want["date"], "economy", want["payment_id"]
        )


def test_the_expert_stops_honestly_after_an_error_and_recaps_in_chinese() -> None:
    task = _task("change-flight")
    failed = Observed("get_reservation", {"reservation_id": "X"}, error="Error: no reservation 'X'")
    final = step(task, [failed])
    assert isinstance(final, Final) and "could not" in final.answer and CJK.search(final.recap)
    denied = _task("change-denied")
    env = BookingEnv(denied)
    rid = denied.expected["reservation_id"]
    seen = [Observed("get_reservation", {"reservation_id": rid}, env.get_reservation(rid))]
    final = step(denied, seen)
    assert isinstance(final, Final) and "basic economy" in final.answer and CJK.search(final.recap)


def test_fixtures_match_the_generator() -> None:
    for scenario in SCENARIOS:
        shipped = FAMILY.read_fixtures(f"fixtures/scenarios/booking-{scenario}.jsonl")
        assert shipped == FAMILY.generate(n=8, seed=0, scenario=scenario)
