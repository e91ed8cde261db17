from __future__ import annotations

from actions.order_forms import OrderFormValidation


class ValidateOrderHistoryForm(OrderFormValidation):
    """A guest proves who they are with one order and its email; a known shopper: nothing."""

    acts_on_order = False

    def name(self) -> str:
        return "validate_order_history_form"
