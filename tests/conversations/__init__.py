"""The conversation benchmark (issue 12): scripted shoppers through the real stack, scored on the
shop's database. ``python -m tests.conversations`` runs it; ``make eval`` records its figures."""
