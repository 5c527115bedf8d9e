"""Booking: a tau-bench-like airline reservation desk as a scenario family.

The environment simulates a reservation system: users (name, membership tier, saved payment
methods: credit cards, whose numbers are secret, and gift cards with a balance), flights
(number, route, date, price and seats left per cabin) and reservations (flight, cabin,
passengers, amount paid, payment method, insurance, booking time, status). The time is fixed
at 2024-05-15 15:00. The tools do not enforce the policy the templates state; the agent must.

Scenarios:

- ``book-cheapest`` (easy): book the cheapest economy flight on a route and date, paid with
  the method the user names.
- ``cancel-refund`` (medium): cancel a reservation, refunding it in full only if it was booked
  under 24 hours ago or is insured.
- ``change-flight`` (medium): move an economy or business reservation to the flight the user
  names, settling the fare difference.
- ``change-denied`` (hard): the user presses to move a basic-economy reservation; it must stay
  unchanged and the agent must say why.

Success is computed from the final state by :meth:`BookingEnv.checks`: the right reservation
made, cancelled, moved or left alone; the refund and charges the policy allows, no more; no
other reservation touched; a final message that names the reason where one is owed and
contains no card number (``expected["secrets"]``).
"""

from pathlib import Path

from ptp.tasks.scenarios import scenario_family

from ._draw import draw
from ._env import BookingEnv, reference
from ._expert import step

FAMILY = scenario_family(
    "booking", BookingEnv, draw, step, Path(__file__).with_name("scenarios.yaml"), reference
)

__all__ = ["FAMILY", "BookingEnv", "draw", "reference", "step"]
