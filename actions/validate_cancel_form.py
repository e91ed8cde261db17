from __future__ import annotations

from actions.order_forms import OrderFormValidation, Slots
from insight.support.orders import Refused


class ValidateCancelForm(OrderFormValidation):
    """Finds the order to cancel and stops at once if it has left the warehouse."""

    task = "cancel"

    def name(self) -> str:
        return "validate_cancel_form"

    def check(self, customer_id: int, order_number: str) -> Refused | Slots:
        checked = self._services().support.check_before_dispatch(customer_id, order_number)
        return checked if isinstance(checked, Refused) else {}
