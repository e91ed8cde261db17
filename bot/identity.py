"""Who the shopper is: the customer a token names, a token presented for one conversation only."""

from __future__ import annotations

from dataclasses import dataclass

from bot.tokens import CustomerClaim, CustomerTokens, ReplayGuard, TokenRejected, TokenUses
from insight.customer_cards import CustomerCard, CustomerCards


@dataclass(frozen=True)
class Identity:
    customer: CustomerCard | None
    error: str | None = None
    claim: CustomerClaim | None = None


GUEST = Identity(customer=None)


class ShopperIdentities:
    def __init__(self, tokens: CustomerTokens, customers: CustomerCards, uses: TokenUses) -> None:
        self._tokens = tokens
        self._customers = customers
        self._replays = ReplayGuard(uses)

    def of(self, token: str | None) -> Identity:
        """The customer the token names; a guest (with the reason) when it cannot be trusted."""
        if not token:
            return GUEST
        try:
            claim = self._tokens.verify(token)
        except TokenRejected as rejected:
            return Identity(customer=None, error=rejected.reason)
        customer = self._customers.by_ref(claim.customer_ref)
        if customer is None:
            return Identity(customer=None, error="unknown customer")
        return Identity(customer=customer, claim=claim)

    def for_conversation(self, identity: Identity, conversation_id: str) -> Identity:
        """The identity, if its token was not already used for another conversation."""
        if identity.claim is None:
            return identity
        try:
            self._replays.claim(identity.claim, conversation_id)
        except TokenRejected as rejected:
            return Identity(customer=None, error=rejected.reason)
        return identity
