"""The conversation benchmark's scenarios and scoring, without a stack: the files are well formed,
written apart from the training data, and a change nobody asked for counts as a wrong action."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from insight.emotion.data import Example, leaks
from insight.understanding.nlu_data import nlu_files, read_nlu_examples
from tests.conversations.runner import Outcome, judge_changes, summarise
from tests.conversations.scenarios import (
    Scenario,
    ScenarioError,
    load_scenarios,
    parse_expectation,
)
from tests.conversations.shop import ORDER_KINDS, Persona, order_number

PERSONA = Persona(
    customer_id=7,
    ref="C-BENCH-0007",
    first_name="Lars",
    email="lars.0007@example.net",
    orders={kind: order_number(7, kind) for kind in ORDER_KINDS},
    tracking="DHL500007",
)
# Form answers (yes, an item name, a town, a postcode) are too short to be anyone's own wording.
SHORT_ANSWER_WORDS = 4


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    return load_scenarios()


def test_every_scenario_file_loads_and_covers_each_task(scenarios: list[Scenario]) -> None:
    tasks = {s.task for s in scenarios}

    assert len(scenarios) >= 90
    assert {"order_status", "cancel", "address", "return", "refund", "faq", "handoff"} <= tasks
    assert {"voucher", "retention"} <= tasks
    assert {s.who for s in scenarios} == {"signed_in", "guest"}
    assert any(s.goal == "handoff" for s in scenarios)


def test_filled_scenarios_hold_no_placeholders(scenarios: list[Scenario]) -> None:
    for scenario in scenarios:
        filled = scenario.filled(PERSONA)
        for text in (*filled.turns, *filled.expect.told, *filled.expect.not_told):
            assert "{" not in text, (scenario.id, text)


def test_no_scenario_turn_repeats_the_training_data(scenarios: list[Scenario]) -> None:
    training = [Example(e.text, e.label) for e in read_nlu_examples(nlu_files())]
    turns = [
        Example(turn, scenario.task)
        for scenario in scenarios
        for turn in scenario.filled(PERSONA).turns
        if len(turn.split()) >= SHORT_ANSWER_WORDS
    ]

    assert len(turns) >= len(scenarios) // 2  # the filter leaves most opening turns in
    assert leaks(training, turns) == []


def test_the_leak_check_would_catch_a_training_example_used_as_a_turn() -> None:
    example = read_nlu_examples(nlu_files())[0]

    assert leaks([Example(example.text, example.label)], [Example(example.text, "x")])


def test_a_malformed_scenario_is_refused_with_its_file_and_id(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "- id: bad\n  task: cancel\n  turns: ['cancel {parcel}']\n  expect: {cancelled: paid}\n"
    )

    with pytest.raises(ScenarioError, match=r"broken.yaml: scenario 'bad': unknown placeholder"):
        load_scenarios(tmp_path)


def _state(**orders: str) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        ("order", PERSONA.orders[kind]): (status, "7 Fjord Lane", "Oslo", "0151")
        for kind, status in orders.items()
    }


def _cancel_paid() -> Scenario:
    return Scenario(
        id="cancel",
        task="cancel",
        who="signed_in",
        turns=("cancel {paid}", "yes"),
        expect=parse_expectation({"cancelled": "paid"}),
    )


def test_cancelling_the_asked_order_with_its_refund_is_the_goal_not_a_wrong_action() -> None:
    before = _state(paid="paid", shipped="shipped")
    after = _state(paid="cancelled", shipped="shipped")
    after[("refund", "9")] = (PERSONA.orders["paid"], Decimal("199.80"), "pending")

    done, wrong = judge_changes(_cancel_paid(), PERSONA, before, after)

    assert (done, wrong) == ({"cancelled"}, [])


def test_cancelling_another_order_is_a_wrong_action_and_not_the_goal() -> None:
    before = _state(paid="paid", shipped="shipped")
    after = _state(paid="paid", shipped="cancelled")

    done, wrong = judge_changes(_cancel_paid(), PERSONA, before, after)

    assert done == set()
    shipped = ("order", PERSONA.orders["shipped"])
    assert wrong == [f"order {shipped[1]}: {before[shipped]} → {after[shipped]}"]


def test_a_return_of_the_wrong_item_is_a_wrong_action() -> None:
    scenario = Scenario(
        id="return",
        task="return",
        who="signed_in",
        turns=("return the laptop",),
        expect=parse_expectation(
            {
                "returned": {
                    "order": "delivered",
                    "item": "Aero 14 Laptop",
                    "refund_method": "store_credit",
                }
            }
        ),
    )
    after = {
        ("return", "3"): (PERSONA.orders["delivered"], "Quiet 2 Headphones", "store_credit", "x")
    }

    done, wrong = judge_changes(scenario, PERSONA, {}, after)

    assert done == set() and len(wrong) == 1 and "Quiet 2 Headphones" in wrong[0]


def test_one_retention_code_is_the_goal_only_where_expected_and_a_second_is_wrong() -> None:
    retention = Scenario(
        id="retention",
        task="retention",
        who="signed_in",
        turns=("this shop is a disappointment",),
        expect=parse_expectation({"retention_offer": True}),
        at_risk=True,
    )
    one = {("voucher", "THANKS-AAAA2222"): (PERSONA.customer_id, "retention", 0)}
    two = one | {("voucher", "THANKS-BBBB3333"): (PERSONA.customer_id, "retention", 0)}

    assert judge_changes(retention, PERSONA, {}, one) == ({"retention_offer"}, [])
    assert len(judge_changes(retention, PERSONA, {}, two)[1]) == 1
    assert judge_changes(_cancel_paid(), PERSONA, {}, one)[1] == [
        f"voucher THANKS-AAAA2222: None → ({PERSONA.customer_id}, 'retention', 0)"
    ]


def _outcome(
    id: str, goal: str, resolved: bool, handoff: bool | None, turns: int | None
) -> Outcome:
    return Outcome(
        id=id,
        task=id.split("-", maxsplit=1)[0],
        goal=goal,
        resolved=resolved,
        handed_over="assistant: shopper_asked" if handoff else None,
        handoff_correct=handoff,
        turns_to_goal=turns,
        wrong_actions=(),
        problems=() if resolved or handoff else ("never said 'x'",),
        transcript=(("shopper", "hi"), ("bot", "hello")),
    )


def test_the_summary_scores_resolution_handover_and_turns_separately() -> None:
    outcomes = [
        _outcome("status-1", "resolve", True, None, 1),
        _outcome("status-2", "resolve", False, None, None),
        _outcome("cancel-1", "resolve", True, None, 3),
        _outcome("handoff-1", "handoff", False, True, 2),
    ]

    summary = summarise(outcomes)

    assert summary["n"] == 4 and summary["resolvable"] == 3
    assert summary["resolved_rate"] == round(2 / 3, 3)
    assert summary["handoff_correct_rate"] == 1.0
    assert summary["median_turns"] == 2
    assert summary["by_task"]["status"] == {"n": 2, "passed_rate": 0.5, "resolved_rate": 0.5}
    assert [f["id"] for f in summary["failures"]] == ["status-2"]
    assert summary["failures"][0]["transcript"] == ["shopper: hi", "bot: hello"]
