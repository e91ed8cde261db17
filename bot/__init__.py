"""The ShopSense gateway: shopper widget, agent desk, handoff, and the client for Rasa."""
