from __future__ import annotations

from actions.order_forms import OrderFormValidation


class ValidateRefundStatusForm(OrderFormValidation):
    """Asks a guest for an order number and email; a known shopper is asked nothing."""

    task = "refund"
    acts_on_order = False

    def name(self) -> str:
        return "validate_refund_status_form"
