"""The benchmark's scenarios: ``scenarios/*.yaml``, each a list of scripted shopper conversations.

A scenario names its task, whether the shopper is signed in (a token from the shop) or a guest
(who must verify with order number and email), the turns they type and what must be true at the
end. Turns and expectations may name the persona's facts (``tests.conversations.shop``):
``{shipped}`` ``{paid}`` ``{delivered}`` ``{old}`` ``{returned}`` (order numbers, also as
``{paid:digits}`` → 500021, ``{paid:hash}`` → #500021, ``{paid:spaced}`` → ss 500021),
``{email}``, ``{name}``, ``{tracking}`` (the shipped order's), and someone else's order and
email, ``{other_order}``, ``{other_email}``.

Expectations (``expect``), any combination:

- ``told``: texts the assistant must have said (case-insensitive), e.g. the tracking number;
- ``not_told``: texts it must never say;
- ``cancelled``: the order (by kind) that must end cancelled;
- ``address``: ``{order, street, city, postcode}`` the order must end with;
- ``returned``: ``{order, item, refund_method}`` of the one return that must be registered;
- ``handoff``: the reason it must be handed to a person for (``any`` for whichever);
- ``retention_offer``: ``true`` when the shopper must end with one new retention code.

``at_risk: true`` makes the scenario's shopper a valuable customer at high churn risk (a built
profile that the shop's retention policy covers). Anything else that changes in the shop during
a scenario is a wrong action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped, unused-ignore]

from tests.conversations.shop import ORDER_KINDS, Persona

SCENARIO_DIR = Path(__file__).with_name("scenarios")
OTHER_ORDER, OTHER_EMAIL = "SS-100003", "ben@example.com"  # Ben's, in tests.factories' shop
HANDOFF_REASONS = (
    "shopper_asked",
    "offer_accepted",
    "complaint",
    "payment_problem",
    "upset",
    "not_understood",
    "any",
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z]+))?\}")
_FORMATS = ("digits", "hash", "spaced")
_FACTS = ("email", "tracking", "name", "other_order", "other_email")
_EXPECTATIONS = {
    "told",
    "not_told",
    "cancelled",
    "address",
    "returned",
    "handoff",
    "retention_offer",
}


class ScenarioError(ValueError):
    """A scenario file that does not follow the format in this module's docstring."""


@dataclass(frozen=True)
class Expectation:
    told: tuple[str, ...] = ()
    not_told: tuple[str, ...] = ()
    cancelled: str | None = None
    address: Mapping[str, str] | None = None
    returned: Mapping[str, str] | None = None
    handoff: str | None = None
    retention_offer: bool = False

    @property
    def changes_the_shop(self) -> bool:
        return bool(self.cancelled or self.address or self.returned or self.retention_offer)


@dataclass(frozen=True)
class Scenario:
    id: str
    task: str
    who: Literal["signed_in", "guest"]
    turns: tuple[str, ...]
    expect: Expectation
    file: str = field(default="", compare=False)
    at_risk: bool = False  # the shopper is a valuable customer likely to leave

    @property
    def goal(self) -> Literal["resolve", "handoff"]:
        return "handoff" if self.expect.handoff else "resolve"

    def filled(self, persona: Persona) -> Scenario:
        """This scenario with the persona's facts in place of the placeholders."""

        def fill_mapping(mapping: Mapping[str, str] | None) -> Mapping[str, str] | None:
            if mapping is None:
                return None
            return {key: fill(value, persona) for key, value in mapping.items()}

        expect = self.expect
        return Scenario(
            id=self.id,
            task=self.task,
            who=self.who,
            turns=tuple(fill(turn, persona) for turn in self.turns),
            expect=Expectation(
                told=tuple(fill(text, persona) for text in expect.told),
                not_told=tuple(fill(text, persona) for text in expect.not_told),
                cancelled=expect.cancelled,
                address=fill_mapping(expect.address),
                returned=fill_mapping(expect.returned),
                handoff=expect.handoff,
                retention_offer=expect.retention_offer,
            ),
            file=self.file,
            at_risk=self.at_risk,
        )


def fill(text: str, persona: Persona) -> str:
    def replace(match: re.Match[str]) -> str:
        name, form = match.group(1), match.group(2)
        if name in persona.orders:
            number = persona.orders[name]
            digits = number.removeprefix("SS-")
            return {None: number, "digits": digits, "hash": f"#{digits}", "spaced": f"ss {digits}"}[
                form
            ]
        values = {
            "email": persona.email,
            "tracking": persona.tracking,
            "name": persona.first_name,
            "other_order": OTHER_ORDER,
            "other_email": OTHER_EMAIL,
        }
        return values[name]

    return _PLACEHOLDER.sub(replace, text)


def load_scenarios(folder: Path = SCENARIO_DIR) -> list[Scenario]:
    scenarios = [scenario for path in sorted(folder.glob("*.yaml")) for scenario in _read(path)]
    seen: set[str] = set()
    for scenario in scenarios:
        if scenario.id in seen:
            raise ScenarioError(f"{scenario.file}: scenario id {scenario.id!r} is used twice")
        seen.add(scenario.id)
    return scenarios


def _read(path: Path) -> Iterator[Scenario]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ScenarioError(f"{path.name}: expected a list of scenarios")
    for entry in raw:
        try:
            yield _scenario(entry, path.name)
        except (KeyError, TypeError, ValueError) as error:
            name = entry.get("id") if isinstance(entry, dict) else entry
            raise ScenarioError(f"{path.name}: scenario {name!r}: {error}") from error


def _scenario(entry: dict[str, Any], file: str) -> Scenario:
    turns = tuple(str(turn) for turn in entry["turns"])
    who = entry.get("who", "signed_in")
    if who not in ("signed_in", "guest"):
        raise ValueError(f"who must be signed_in or guest, not {who!r}")
    if not turns:
        raise ValueError("a scenario needs at least one turn")
    expect = parse_expectation(entry["expect"])
    for text in (*turns, *expect.told, *expect.not_told):
        _check_placeholders(text)
    return Scenario(
        id=str(entry["id"]),
        task=str(entry["task"]),
        who=who,
        turns=turns,
        expect=expect,
        file=file,
        at_risk=bool(entry.get("at_risk", False)),
    )


def parse_expectation(raw: dict[str, Any]) -> Expectation:
    unknown = set(raw) - _EXPECTATIONS
    if unknown or not raw:
        raise ValueError(f"expect needs some of {sorted(_EXPECTATIONS)}, got {sorted(raw)}")
    cancelled = raw.get("cancelled")
    if cancelled is not None and cancelled not in ORDER_KINDS:
        raise ValueError(f"cancelled names an order kind ({ORDER_KINDS}), not {cancelled!r}")
    address = _fields(raw.get("address"), {"order", "street", "city", "postcode"})
    returned = _fields(raw.get("returned"), {"order", "item", "refund_method"})
    for change in (address, returned):
        if change is not None and change["order"] not in ORDER_KINDS:
            raise ValueError(f"order names an order kind ({ORDER_KINDS}), not {change['order']!r}")
    handoff = raw.get("handoff")
    if handoff is not None and handoff not in HANDOFF_REASONS:
        raise ValueError(f"handoff is one of {HANDOFF_REASONS}, not {handoff!r}")
    return Expectation(
        told=tuple(str(text) for text in raw.get("told", ())),
        not_told=tuple(str(text) for text in raw.get("not_told", ())),
        cancelled=cancelled,
        address=address,
        returned=returned,
        handoff=handoff,
        retention_offer=bool(raw.get("retention_offer", False)),
    )


def _fields(raw: Any, names: set[str]) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != names:
        raise ValueError(f"expected exactly the fields {sorted(names)}, got {raw!r}")
    return {key: str(value) for key, value in raw.items()}


def _check_placeholders(text: str) -> None:
    for match in _PLACEHOLDER.finditer(text):
        name, form = match.group(1), match.group(2)
        if name not in (*ORDER_KINDS, *_FACTS):
            raise ValueError(f"unknown placeholder {{{name}}} in {text!r}")
        if form is not None and (name not in ORDER_KINDS or form not in _FORMATS):
            raise ValueError(f"unknown format {{{name}:{form}}} in {text!r}")
