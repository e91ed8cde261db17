"""Rasa custom actions: thin adapters over ``insight``, one action per module.

rasa-sdk imports every module of this package when the action server starts and instantiates
each ``Action`` subclass with no arguments, so nothing heavy happens at import time: services
are built on first use by ``actions.services``.
"""
