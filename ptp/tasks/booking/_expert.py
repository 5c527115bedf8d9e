"""The booking expert (``expert:booking``): inspect, decide by the policy from what the tools
answered, act, then tell the user. The request's facts (ids, route, date, payment) come from
the task's ground truth, as the user's message states them; which flight is cheapest, whether
a refund or a change is allowed and what it cost are read from the observations."""

from __future__ import annotations

from typing import Any

from ptp.tasks.scenarios import Call, Final, Observed, ScenarioTask, Step

from ._rules import changeable, hours_since, refundable

__all__ = ["step"]


def _seen(observed: list[Observed], tool: str) -> Any:
    """The value of the last answered call of ``tool`` (None: not called yet)."""
    for obs in reversed(observed):
        if obs.tool == tool:
            return obs.value
    return None


def _failed(observed: list[Observed]) -> Final:
    obs = next(o for o in reversed(observed) if o.error)
    error = str(obs.error).removeprefix("Error:").strip()
    return Final(
        f"{obs.tool} failed ({error}); I stop here and tell the user instead of guessing.",
        f'Sorry, I could not complete your request: {obs.tool} answered "{error}". '
        "Nothing else was changed.",
        "操作未能完成，系统返回了错误，其他内容均未更改。",
    )


def step(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    """The next reply for ``task`` given the calls answered so far."""
    if any(o.error for o in observed):
        return _failed(observed)
    if task.scenario == "book-cheapest":
        return _book(task.expected, observed)
    if task.scenario == "cancel-refund":
        return _cancel(task.expected, observed)
    return _change(task.expected, observed)


def _book(want: dict[str, Any], observed: list[Observed]) -> Step | Final:
    user, flights = _seen(observed, "get_user"), _seen(observed, "search_flights")
    if user is None or flights is None:
        route = {k: want[k] for k in ("origin", "destination", "date")}
        return Step(
            f"First I look up {want['user_id']}'s saved payment methods and the flights "
            f"{route['origin']} to {route['destination']} on {route['date']}.",
            (Call("get_user", {"user_id": want["user_id"]}), Call("search_flights", route)),
        )
    pid = want["payment_id"]
    if pid not in {m["id"] for m in user["payment_methods"]}:
        return Final(
            f"{pid} is not one of the user's saved payment methods.",
            f"I could not book: {pid} is not one of your saved payment methods. "
            "Please name one of them.",
            "无法预订：所指定的支付方式不在用户已保存的支付方式中。",
        )
    open_ = [f for f in flights if f["seats_left"]["economy"] > 0]
    if not open_:
        return Final(
            "No flight on that date has an economy seat left.",
            f"Sorry, no flight from {want['origin']} to {want['destination']} on "
            f"{want['date']} has an economy seat left, so I booked nothing.",
            "当天该航线没有经济舱余座，未进行预订。",
        )
    best = min(open_, key=lambda f: f["prices"]["economy"])
    made = _seen(observed, "book_flight")
    if made is None:
        prices = ", ".join(f"{f['flight_number']} ${f['prices']['economy']}" for f in open_)
        return Step(
            f"Economy fares with seats left: {prices}. The cheapest is "
            f"{best['flight_number']}; I book it in economy with {pid}.",
            (Call("book_flight", {"user_id": want["user_id"],
                                  "flight_number": best["flight_number"], "date": want["date"],
                                  "cabin": "economy", "payment_id": pid}),),
        )  # fmt: skip
    return Final(
        f"Booked {made['flight_number']} as reservation {made['reservation_id']}.",
        f"Done: you are booked in economy on {made['flight_number']} from {made['origin']} to "
        f"{made['destination']} on {made['date']} for ${made['paid']}, paid with "
        f"{made['payment_id']}. Your reservation id is {made['reservation_id']}.",
        f"已为您预订{made['date']}最便宜的经济舱航班{made['flight_number']}，"
        f"票价{made['paid']}美元。",
    )


def _cancel(want: dict[str, Any], observed: list[Observed]) -> Step | Final:
    rid = want["reservation_id"]
    found = _seen(observed, "get_reservation")
    if found is None:
        return Step(
            f"I read reservation {rid} (booking time, insurance) before cancelling it.",
            (Call("get_reservation", {"reservation_id": rid}),),
        )
    if found["status"] != "active":
        return Final(
            f"{rid} is already {found['status']}.",
            f"Reservation {rid} is already {found['status']}; there is nothing to cancel.",
            "该预订已被取消，无需再次操作。",
        )
    hours = hours_since(found["created_at"])
    refund = refundable(found)
    reason = (
        "it has travel insurance" if found["insurance"]
        else f"it was booked {hours:.0f} hours ago, less than 24"
        if refund else f"it was booked {hours:.0f} hours ago (over 24) without insurance"
    )  # fmt: skip
    done = _seen(observed, "cancel_reservation")
    if done is None:
        verdict = "a full refund is due" if refund else "no refund is due"
        return Step(
            f"The policy: {verdict}, since {reason}. I cancel with refund={refund}.",
            (Call("cancel_reservation", {"reservation_id": rid, "refund": refund}),),
        )
    if done["refund"]:
        money = f"${done['refund']} will be refunded to {done['payment_id']}, since {reason}."
        recap = f"预订{rid}已取消，全额退款{done['refund']}美元。"
    else:
        money = f"there is no refund, because {reason}."
        recap = f"预订{rid}已取消，按政策不予退款。"
    return Final(
        f"Cancelled {rid} with refund {done['refund']}.",
        f"Reservation {rid} is cancelled, and {money}",
        recap,
    )


def _change(want: dict[str, Any], observed: list[Observed]) -> Step | Final:
    rid, number, date = want["reservation_id"], want["flight_number"], want["date"]
    found = _seen(observed, "get_reservation")
    if found is None:
        return Step(
            f"I read reservation {rid} (its cabin and route) before changing anything.",
            (Call("get_reservation", {"reservation_id": rid}),),
        )
    if not changeable(found):
        return Final(
            f"{rid} is basic economy, which the policy does not allow to change.",
            f"I'm sorry, I can't move reservation {rid} to {number}: it is a basic economy "
            "reservation, and basic-economy reservations cannot be changed. Your booking on "
            f"{found['flight_number']} on {found['date']} stays as it is.",
            "该预订为基础经济舱，按政策不能改签，原预订保持不变。",
        )
    if found["status"] != "active":
        return Final(
            f"{rid} is {found['status']}.",
            f"Reservation {rid} is {found['status']}, so it cannot be changed.",
            "该预订已失效，无法改签。",
        )
    flights = _seen(observed, "search_flights")
    if flights is None:
        route = {"origin": found["origin"], "destination": found["destination"], "date": date}
        return Step(
            f"{rid} is {found['cabin']}, so it may change. I check {number} on {date}.",
            (Call("search_flights", route),),
        )
    target = next((f for f in flights if f["flight_number"] == number), None)
    seats = len(found["passengers"])
    if target is None or target["seats_left"][found["cabin"]] < seats:
        return Final(
            f"{number} on {date} is not on the route or has too few {found['cabin']} seats.",
            f"I could not move {rid}: flight {number} on {date} is not available on your "
            f"route in {found['cabin']} for {seats} passenger(s). Nothing was changed.",
            "目标航班不可用，预订未作更改。",
        )
    done = _seen(observed, "change_flight")
    if done is None:
        return Step(
            f"{number} has {target['seats_left'][found['cabin']]} {found['cabin']} seats; "
            "I move the reservation.",
            (Call("change_flight", {"reservation_id": rid, "flight_number": number,
                                    "date": date}),),
        )  # fmt: skip
    diff = done["fare_difference"]
    money = (
        f"The fare difference of ${diff} was charged to {done['payment_id']}." if diff > 0
        else f"${-diff} was refunded to {done['payment_id']}." if diff < 0
        else "There was no fare difference."
    )  # fmt: skip
    return Final(
        f"Moved {rid} to {number} on {date}; fare difference {diff}.",
        f"Done: reservation {rid} is now on {number} on {date} in {done['cabin']}. {money}",
        f"预订{rid}已改签至{date}的{number}航班，差价已按原支付方式结算。",
    )
