from __future__ import annotations

from actions.order_forms import OrderFormValidation


class ValidateOrderStatusForm(OrderFormValidation):
    """Asks a guest for an order number and email; a known shopper is asked nothing."""

    task = "status"
    acts_on_order = False

    def name(self) -> str:
        return "validate_order_status_form"
