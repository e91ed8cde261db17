"""Validation shared by the forms: ending a form early, and the order forms' guest verification.

A form's validation may end it before every slot is filled (a refusal, a declined question) by
setting ``form_blocked``: the required slots then become empty, the form closes, and its submit
action only tidies up. The order forms also decide who the shopper is: a known shopper (signed
token or earlier verification) is never asked for an email, and names no order number means
their latest order; a guest gives an order number and the email on the account, checked
together, at most three times a conversation and, across conversations, as often as
``insight.support.verification`` allows; both limits end the form with the same words.
``verified_customer_id`` is set here and nowhere else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import replies
from actions.conversation import shopper_id
from actions.services import Services, services
from insight.domain import OrderDetails
from insight.support.identity import MAX_VERIFICATION_ATTEMPTS, find_email, find_order_number
from insight.support.orders import Refused

Slots = dict[str, Any]


class EndableFormValidation(FormValidationAction, ABC):
    """A form whose validation can close it early by setting ``form_blocked``.

    Abstract (``name``), so that rasa-sdk registers only the concrete validation actions.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    @abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [] if tracker.get_slot("form_blocked") else domain_slots


class OrderFormValidation(EndableFormValidation, ABC):
    """A form about one of the shopper's orders.

    ``task`` names its refusal responses. With ``acts_on_order`` false (questions about orders)
    a known shopper is asked nothing: the answering action picks the order itself.
    """

    task = "order"
    acts_on_order = True

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        if shopper_id(tracker) is None:
            return slots
        skipped = {"email"} if self.acts_on_order else {"email", "order_number"}
        return [slot for slot in slots if slot not in skipped]

    def default_order(self, customer_id: int) -> OrderDetails | None:
        """The order a known shopper means when they name none."""
        return self._services().support.latest(customer_id)

    def check(self, customer_id: int, order_number: str) -> Refused | Slots:
        """Whether this form's task can be done for the order: a refusal, or slots to prefill."""
        return {}

    def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if tracker.get_slot("order_number") is not None:
            return {}
        customer = shopper_id(tracker)
        if customer is None:
            asked = tracker.get_slot("requested_slot") == "order_number"
            typed = find_order_number(str(tracker.latest_message.get("text") or ""))
            return {"order_number": typed} if asked and typed else {}
        order = self.default_order(customer) if self.acts_on_order else None
        return {"order_number": order.number} if order else {}

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        number = find_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_invalid_order_number")
            return {"order_number": None}
        customer = shopper_id(tracker)
        if customer is None:
            email = tracker.get_slot("email")
            return (
                self._verify(number, email, dispatcher, tracker)
                if email
                else {"order_number": number}
            )
        return {"order_number": number, **self._checked(customer, number, dispatcher)}

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        email = find_email(str(value or ""))
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
            return {"email": None}
        number = tracker.get_slot("order_number")
        return self._verify(number, email, dispatcher, tracker) if number else {"email": email}

    def _verify(
        self, number: str, email: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Slots:
        check = self._services().verification.verify(number, email)
        customer = check.customer_id
        if customer is not None:
            verified = {"order_number": number, "email": email, "verified_customer_id": customer}
            return {
                **verified,
                "verification_attempts": 0,
                **self._checked(customer, number, dispatcher),
            }
        attempts = int(tracker.get_slot("verification_attempts") or 0) + 1
        failed: Slots = {"order_number": None, "email": None, "verification_attempts": attempts}
        if check.locked or attempts >= MAX_VERIFICATION_ATTEMPTS:
            dispatcher.utter_message(response="utter_verification_locked")
            return {**failed, "form_blocked": True}
        dispatcher.utter_message(response="utter_verification_failed")
        return failed

    def _checked(self, customer: int, number: str, dispatcher: CollectingDispatcher) -> Slots:
        outcome = self.check(customer, number)
        if isinstance(outcome, Refused):
            window = self._services().support.return_window_days
            replies.say(dispatcher, [replies.refusal(self.task, outcome, window)])
            return {"form_blocked": True}
        return outcome
