"""ShopSense insight library: the shop database, customer insight and conversation intelligence.

This package never imports ``rasa_sdk`` or ``bot``; the actions and the gateway depend on it,
not the other way round.
"""
