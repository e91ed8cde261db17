from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import shopper_id
from actions.order_forms import OrderFormValidation, Slots
from insight.domain import OrderDetails
from insight.support.formatting import listing
from insight.support.orders import Refused, parse_refund_method, pick_line


class ValidateReturnForm(OrderFormValidation):
    """Checks the order is returnable (delivered, inside the window), then item, reason, refund."""

    task = "return"

    def name(self) -> str:
        return "validate_return_form"

    def default_order(self, customer_id: int) -> OrderDetails | None:
        return self._services().support.latest_returnable(customer_id)

    def check(self, customer_id: int, order_number: str) -> Refused | Slots:
        checked = self._services().support.check_returnable(customer_id, order_number)
        if isinstance(checked, Refused):
            return checked
        only = checked.lines[0].product_name if len(checked.lines) == 1 else None
        return {"return_item": only} if only else {}

    def validate_return_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        customer, number = shopper_id(tracker), tracker.get_slot("order_number")
        if customer is None or number is None:
            return {"return_item": None}
        checked = self._services().support.check_returnable(customer, number)
        if isinstance(checked, Refused):
            return {"return_item": None}
        line = pick_line(checked.lines, str(value or ""))
        if line is None:
            names = listing([item.product_name for item in checked.lines])
            dispatcher.utter_message(
                response="utter_invalid_return_item", order_number=number, items=names
            )
        return {"return_item": line.product_name if line else None}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        reason = " ".join(str(value or "").split())
        return {"return_reason": reason if len(reason) >= 2 else None}

    def validate_refund_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        method = parse_refund_method(str(value or ""))
        if method is None:
            dispatcher.utter_message(response="utter_invalid_refund_method")
        return {"refund_method": method.value if method else None}
