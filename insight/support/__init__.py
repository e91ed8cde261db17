"""Customer-service operations the assistant performs for a verified shopper.

Every operation is scoped to one customer id and re-checks its business rule inside the
transaction that changes the database, whatever the conversation claimed before. Results are
frozen dataclasses or typed refusals (:class:`~insight.support.orders.Refusal`), never ORM rows.

The ports the assistant consumes from modules that other parts of insight provide (emotion,
profiles, product suggestions) are small Protocols here, each with a simple implementation that
serves until the richer one is wired in ``actions/services.py``.
"""
