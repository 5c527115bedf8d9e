"""The telecom expert policy (``expert:telecom``) and the reference episode.

The expert decides each reply from the tools' answers so far: look the account up by the
phone number the customer gave, read it (and the plan catalogue when a plan change is asked),
check the outages of the account's own area, then issue the policy's credit (computed on the
plan the account had) and change the plan, and finish with a message that never holds the PIN.
After an error observation it stops and says what failed and what was already done.
"""

from __future__ import annotations

from typing import Any

from ptp.tasks.scenarios import Call, Final, Observed, ScenarioTask, Step

from ._env import MIN_OUTAGE_HOURS, TelecomEnv, outage_days, policy_credit

__all__ = ["reference", "step"]

REASON = "Outage credit per policy"


def _cheapest(plans: list[dict[str, Any]], need: int) -> dict[str, Any] | None:
    """The cheapest plan with at least ``need`` GB (None: no plan has that much)."""
    fit = [p for p in plans if p["data_gb"] >= need]
    return min(fit, key=lambda p: p["monthly_price"]) if fit else None


def _outages_text(outages: list[dict[str, Any]]) -> str:
    return " and ".join(f"outage {o['outage_id']} ({o['hours']} hours)" for o in outages)


def _failed(seen: dict[str, Any], error: Observed) -> Final:
    done = []
    if "issue_credit" in seen:
        done.append(f"a credit of ${seen['issue_credit']['amount']:.2f} was issued")
    if "change_plan" in seen:
        done.append(f"the plan was changed to {seen['change_plan']['new_plan']}")
    so_far = "; ".join(done) if done else "nothing was changed on your account"
    return Final(
        f"{error.tool} failed ({error.error}); I stop here and say so.",
        f"I could not complete your request: {error.tool} answered {error.error!r}. "
        f"So far {so_far}. Please contact us again so that we can finish it.",
        "处理您的请求时系统出错，未能全部完成，请稍后再联系我们。",
    )


def _final(task: ScenarioTask, seen: dict[str, Any], credit: float) -> Final:
    account = seen["get_account"]
    area, price = account["area"], account["monthly_price"]
    mine = seen["check_outages"]
    counted = [o for o in mine if o["hours"] >= MIN_OUTAGE_HOURS]
    days = sum(outage_days(o["hours"]) for o in counted)
    if credit <= 0:
        found = "no outage was recorded there"
        if mine:
            which = "the only outage" if len(mine) == 1 else "every outage"
            found = f"{which} recorded there, {_outages_text(mine)}, lasted under "
            found += f"{MIN_OUTAGE_HOURS} hours"
        return Final(
            "No qualifying outage in the account's area: no credit; I explain why.",
            f"I checked your account {account['id']} in {area}: {found}. Our policy gives an "
            f"outage credit only for an outage of at least {MIN_OUTAGE_HOURS} hours in the "
            "account's own area, so I cannot issue a credit this time. Nothing on your account "
            "was changed.",
            "您所在地区没有符合补偿条件的停机，因此无法发放补偿，账户未作任何更改。",
        )
    given = (f"a credit of ${credit:.2f} for {_outages_text(counted)} in {area} ({days} full "
             f"day{'s' if days != 1 else ''} at ${price:.2f}/month / 30)")  # fmt: skip
    balance = f" Your new balance is ${seen['issue_credit']['new_balance']:.2f}."
    if "change_plan" not in seen:
        return Final(
            "The credit is issued; I tell the customer.",
            f"I issued {given} to your account {account['id']}.{balance}",
            f"已按政策为您的账户发放停机补偿 {credit:.2f} 美元。",
        )
    new = next(p for p in seen["list_plans"] if p["plan"] == seen["change_plan"]["new_plan"])
    need = task.expected["min_data_gb"]
    return Final(
        "The plan is changed and the credit issued; I tell the customer.",
        f"I moved your account {account['id']} from {account['plan']} to {new['plan']} "
        f"(${new['monthly_price']:.2f}/month, {new['data_gb']} GB), the cheapest plan with at "
        f"least {need} GB of data. I also issued {given}, computed on your previous plan's "
        f"price.{balance}",
        f"已将您的套餐改为{new['plan']}，并按原套餐价格补偿停机费用 {credit:.2f} 美元。",
    )


def step(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    """The expert's next reply (see the module docstring)."""
    seen = {o.tool: o.value for o in observed if o.error is None}
    errors = [o for o in observed if o.error is not None]
    if errors:
        return _failed(seen, errors[-1])
    downgrade = task.scenario == "plan-downgrade"
    if "find_account" not in seen:
        phone = task.expected["phone"]
        return Step(f"I look the account up by the phone number {phone}.",
                    (Call("find_account", {"phone": phone}),))  # fmt: skip
    account_id = seen["find_account"]["account_id"]
    if "get_account" not in seen:
        calls = [Call("get_account", {"account_id": account_id})]
        if downgrade:
            calls.append(Call("list_plans"))
        return Step(f"The number belongs to {account_id}; I read the account.", tuple(calls))
    account = seen["get_account"]
    if "check_outages" not in seen:
        return Step(f"The account is in {account['area']}; I check the outages there.",
                    (Call("check_outages", {"area": account["area"]}),))  # fmt: skip
    hours = [o["hours"] for o in seen["check_outages"]]
    credit = policy_credit(account["monthly_price"], hours)
    calls = []
    if credit > 0 and "issue_credit" not in seen:
        calls.append(Call("issue_credit", {"account_id": account_id, "amount": credit,
                                           "reason": REASON}))  # fmt: skip
    if downgrade and "change_plan" not in seen:
        target = _cheapest(seen["list_plans"], task.expected["min_data_gb"])
        if target is not None and target["plan"] != account["plan"]:
            calls.append(Call("change_plan", {"account_id": account_id, "plan": target["plan"]}))
    if calls:
        return Step(
            f"The policy credit is ${credit:.2f} on the current plan's price; I act now.",
            tuple(calls),
        )
    return _final(task, seen, credit)


def reference(task: ScenarioTask) -> TelecomEnv:
    """An episode driven to the solved state through the environment's own tools."""
    env = TelecomEnv(task)
    expected = task.expected
    account_id = env.find_account(expected["phone"])["account_id"]
    account = env.get_account(account_id)
    env.check_outages(account["area"])
    if expected["credit"] > 0:
        env.issue_credit(account_id, expected["credit"], REASON)
    if expected["plan"] != account["plan"]:
        env.change_plan(account_id, expected["plan"])
    env.answer = (
        f"Account {account_id}: plan {expected['plan']}, outage credit ${expected['credit']:.2f}."
    )
    return env
