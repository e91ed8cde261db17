from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, services, warm_up


class ActionWarmUp(Action):
    """Builds the services and loads the models, so the first shopper does not wait for them.

    Not part of the dialogue (the domain does not list it): ``bot.stack`` calls it once when the
    action server answers. rasa-sdk serves from a worker process it spawns and offers no start-up
    hook there, and constructors must not load models, so a call is what reaches that process.
    """

    def __init__(self, get_services: Callable[[], Services] = services) -> None:
        self._services = get_services

    def name(self) -> str:
        return "action_warm_up"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        warm_up(self._services())
        return []
