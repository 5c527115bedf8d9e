"""Prompt text for a trip: the benchmark's exact template, or a varied paraphrase.

Paraphrases keep the facts (``info`` stays in inches, pounds and USD) and vary sentence
templates, list layout, item names, units (exact cm / kg / ft-in), the ticket phrasing, and add
fee-irrelevant details (date, seat, flight number, meal, pet, booking reference).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from string import Template
from typing import NamedTuple

from ._data import generator_facts
from ._schema import Bag, TripInfo
from ._units import feet_inches, inches_to_cm, pounds_to_kg

__all__ = ["Person", "render_paraphrase", "render_template"]


class Person(NamedTuple):
    """A passenger's name and pronouns, e.g. ``Person("Sarah", "she", "her")``."""

    name: str
    subject: str
    possessive: str


def render_template(info: TripInfo, name: str, origin: str, destination: str) -> str:
    """The RuleArena prompt, character for character: its ``prompt_template`` (a
    ``string.Template``) and ``item_line`` from ``data/rulearena_generator.json``."""
    facts = generator_facts()
    items = "\n".join(
        facts["item_line"].format(
            i=b.id, name=b.name, L=b.size[0], W=b.size[1], H=b.size[2], weight=b.weight
        )
        for b in info.bag_list
    )
    return Template(facts["prompt_template"]).substitute(
        {
            "name": name,
            "class": info.customer_class,
            "departure": origin,
            "destination": destination,
            "bag_list": items,
            "base_price": f"${info.base_price}",
        }
    )


_SYNONYMS = {"backpack": ("backpack", "rucksack"), "luggage box": ("luggage box", "suitcase")}
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")
_REF_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_UNITS_NOTE = (
    "(Metric figures are exact conversions: 1 in = 2.54 cm, 1 lb = 0.45359237 kg; the airline's "
    "fees are defined in inches and pounds.)"
)


def _size_text(size: tuple[int, int, int], metric: bool, rng: random.Random) -> str:
    a, b, c = size
    if metric:
        x, y, z = (inches_to_cm(v) for v in size)
        forms = [f"{x} x {y} x {z} cm", f"{x} cm long, {y} cm wide and {z} cm tall"]
    else:
        fa, fb, fc = (feet_inches(v) for v in size)
        forms = [
            f"{a} x {b} x {c} inches",
            f"{a} by {b} by {c} in",
            f"{a} in × {b} in × {c} in",
            f"length {a} in, width {b} in, height {c} in",
            f"{fa} long, {fb} wide and {fc} high",
        ]
    return rng.choice(forms)


def _weight_text(weight: int, metric: bool, rng: random.Random) -> str:
    if metric:
        return f"{pounds_to_kg(weight)} kg"
    return rng.choice([f"{weight} lbs", f"{weight} pounds", f"{weight} lb"])


def _item(bag: Bag, units: str, rng: random.Random) -> tuple[str, bool]:
    """The item's text, and whether it uses metric units."""
    metric = units == "metric" or (units == "mixed" and rng.random() < 0.5)
    noun = rng.choice(_SYNONYMS.get(bag.name, (bag.name,)))
    size = _size_text(bag.size, metric, rng)
    weight = _weight_text(bag.weight, metric and rng.random() < 0.8, rng)
    forms = [f"a {noun} ({size}; {weight})", f"a {noun}, {size}, {weight}"]
    forms.append(f"a {noun} measuring {size} and weighing {weight}")
    return rng.choice(forms), metric


def _and_list(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items) or "nothing"
    return "; ".join(items[:-1]) + "; and " + items[-1]


def _items_block(person: Person, items: list[str], rng: random.Random) -> str:
    carry, checked = items[0], items[1:]
    count = _NUMBERS[len(checked)] if len(checked) < len(_NUMBERS) else str(len(checked))
    poss, name = person.possessive, person.name
    layouts: list[Callable[[], str]] = [
        lambda: f"Carry-on: {carry}.\nChecked bags:\n" + "".join(f"- {x}\n" for x in checked),
        lambda: f"{name} brings the following items:\n1. {carry} (carry-on)\n"
        + "".join(f"{i}. {x} (to check)\n" for i, x in enumerate(checked, 2)),
        lambda: f"{name} will check {count} bags: {_and_list(checked)}. "
        + f"In the cabin {person.subject} keeps {carry} as {poss} carry-on.",
        lambda: f"For the overhead bin {person.subject} has {carry}. "
        + " ".join(f"Checked bag {i}: {x}." for i, x in enumerate(checked, 1)),
        lambda: "| item | role |\n|---|---|\n" + f"| {carry} | carry-on |\n"
        + "".join(f"| {x} | checked |\n" for x in checked),
    ]  # fmt: skip
    return rng.choice(layouts)().rstrip()


def _ticket(person: Person, price: int, rng: random.Random) -> str:
    name, subj = person.name, person.subject
    return rng.choice(
        [
            f"{name}'s flight ticket is ${price}.",
            f"The ticket cost ${price:,}.00.",
            f"{subj.capitalize()} paid USD {price} for the fare.",
            f"Fare paid: {price} US dollars.",
            f"The ticket price was {price} dollars.",
        ]
    )


def _details(person: Person, rng: random.Random) -> list[str]:
    subj, poss = person.subject.capitalize(), person.possessive
    pet = rng.choice(["cat", "dog", "parrot", "rabbit"])
    pool = [
        f"{subj} asked for a {rng.choice(['vegetarian', 'kosher', 'gluten-free', 'vegan'])} meal.",
        f"{subj} is seated in {rng.randint(3, 41)}{rng.choice('ABCDEF')}.",
        f"{poss.capitalize()} {pet} {rng.choice(['Milo', 'Luna', 'Pepper'])} stays home with a "
        "neighbour during the trip.",
        f"The booking reference is {''.join(rng.choices(_REF_CHARS, k=6))}.",
        f"{subj} checks in {rng.randint(2, 4)} hours before departure.",
    ]
    return rng.sample(pool, rng.randint(1, 3))


def _sentence(text: str) -> str:
    """``text`` with a full stop, unless it already ends with one (``... to Washington D.C.``)."""
    return text if text.endswith(".") else text + "."


def _intro(person: Person, cls: str, origin: str, dest: str, rng: random.Random) -> str:
    name = person.name
    date = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}"
    flight = f"AA {rng.randint(100, 2999)}"
    return rng.choice(
        [
            _sentence(f"{name} is a {cls} Class passenger flying from {origin} to {dest}"),
            f"{name} has booked a {cls} ticket from {origin} to {dest} for {date}.",
            f"Passenger: {name}\nRoute: {origin} to {dest}\nCabin: {cls}\nFlight: {flight}",
            f"On {date}, {name} flies {cls} from {origin}, landing in {dest} the same day.",
            f"{name} travels in {cls} on flight {flight} between {origin} (departure) and "
            f"{dest} (arrival).",
            f"Leaving {origin} for {dest} on {date}, {name} has a seat in {cls}.",
        ]
    )


def render_paraphrase(
    info: TripInfo, person: Person, origin: str, destination: str, rng: random.Random
) -> str:
    """A paraphrased prompt with the same facts as :func:`render_template`."""
    units = rng.choices(["imperial", "metric", "mixed"], weights=[35, 35, 30])[0]
    items, metric = zip(*(_item(b, units, rng) for b in info.bag_list), strict=True)
    details = _details(person, rng)
    parts = [_intro(person, info.customer_class, origin, destination, rng), *details[:1]]
    parts += [_items_block(person, list(items), rng)]
    ticket = _ticket(person, info.base_price, rng)
    parts.insert(rng.choice([1, len(parts)]), ticket)
    parts += details[1:]
    if any(metric):
        parts.append(_UNITS_NOTE)
    return "\n\n".join(parts)
