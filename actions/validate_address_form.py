from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.order_forms import OrderFormValidation, Slots
from insight.support.address import clean_city, clean_postcode, clean_street
from insight.support.orders import Refused


class ValidateAddressForm(OrderFormValidation):
    """Finds the order (refused once dispatched) and checks each part of the new address."""

    task = "address"

    def name(self) -> str:
        return "validate_address_form"

    def check(self, customer_id: int, order_number: str) -> Refused | Slots:
        checked = self._services().support.check_before_dispatch(customer_id, order_number)
        return checked if isinstance(checked, Refused) else {}

    def validate_address_street(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return _cleaned("address_street", clean_street, "utter_invalid_street", value, dispatcher)

    def validate_address_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return _cleaned("address_city", clean_city, "utter_invalid_city", value, dispatcher)

    def validate_address_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return _cleaned(
            "address_postcode", clean_postcode, "utter_invalid_postcode", value, dispatcher
        )


def _cleaned(
    slot: str,
    clean: Callable[[str], str | None],
    reprompt: str,
    value: Any,
    dispatcher: CollectingDispatcher,
) -> Slots:
    """The address part as it will be stored, or an empty slot and a re-prompt saying why."""
    cleaned = clean(str(value or ""))
    if cleaned is None:
        dispatcher.utter_message(response=reprompt)
    return {slot: cleaned}
