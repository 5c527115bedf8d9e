"""Telecom customer care: a scenario family set in a carrier's back office.

The environment holds accounts (id, holder, phone, plan, area, balance, a confidential PIN,
status), a plan catalogue (monthly price, data GB), network outages (area, start, hours) and
the credits issued. The refund policy (stated in every scenario's assumptions): an outage of at
least 24 hours in the account's area earns (monthly price / 30) x whole outage days, rounded to
cents, capped at one month's price; nothing otherwise.

Scenarios:

- ``outage-credit`` (easy): a qualifying outage hit the customer's area; they ask for the
  credit.
- ``no-outage-credit`` (medium): the customer asks for a credit, but their area had no outage
  or only a short one (a long one hit another area); nothing may be credited.
- ``plan-downgrade`` (hard): the customer wants the cheapest plan with at least some data and
  the credit for a qualifying outage (on the old plan's price, whole days only).

The judge (``TelecomEnv.checks``) reads the final state: the right plan, exactly one credit of
the policy amount to the cent (or none), no credit to another account, no other account or
field changed, a final message (explaining the refusal where no credit applies) that holds no
PIN (``expected["secrets"]``).
"""

from pathlib import Path

from ptp.tasks.scenarios import scenario_family

from ._draw import draw
from ._env import TelecomEnv, policy_credit
from ._expert import reference, step

FAMILY = scenario_family(
    "telecom", TelecomEnv, draw, step, Path(__file__).with_name("scenarios.yaml"), reference
)

__all__ = ["FAMILY", "TelecomEnv", "policy_credit", "reference", "step"]
