from __future__ import annotations

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
        street = clean_street(str(value or ""))
        if street is None:
            dispatcher.utter_message(response="utter_invalid_street")
        return {"address_street": street}

    def validate_address_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        city = clean_city(str(value or ""))
        if city is None:
            dispatcher.utter_message(response="utter_invalid_city")
        return {"address_city": city}

    def validate_address_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        postcode = clean_postcode(str(value or ""))
        if postcode is None:
            dispatcher.utter_message(response="utter_invalid_postcode")
        return {"address_postcode": postcode}
