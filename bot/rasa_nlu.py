"""Rasa NLU components that take what the gateway's shared encoder pass read.

The gateway reads every shopper message once with insight's fine-tuned MiniLM (intent, emotion,
polarity and the FAQ query vector in one pass) and sends the intent ranking in the message
metadata (``{"intent": {"name", "confidence", "threshold", "ranking"}}``). This component sits
at the end of the pipeline, after DIET and the ``FallbackClassifier``: with a reading it replaces
their intent and ranking. A reading below the threshold the model chose on data becomes
``nlu_fallback`` unless DIET, trained apart on the same examples, picked the same intent above
its own fallback threshold: two classifiers agreeing is evidence neither confidence shows alone,
and an unsure right reading costs the shopper a "could you rephrase". Without a reading (a
message sent to Rasa's REST channel directly) DIET's answer stands. Entities are DIET's either
way, plus the mood below.

``SharedEncoderMoodExtractor`` turns the reading's emotion label and reply tone into the
``emotion`` and ``tone`` entities, which fill the slots of the same names (``from_entity``
mappings, ``influence_conversation: false`` in ``domain.yml``). The mood is then known before
the next action is chosen without a round trip to the action server on every message. A
message without a reading leaves the mood as it was.

Runs in Rasa's environment (Python 3.10), so the metadata is read with
``insight.understanding.metadata``, which needs nothing but the standard library. Training only
records the intents of the training data: a reading naming an intent the model does not know
(a gateway model newer than the Rasa model) is ignored.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from insight.understanding.metadata import intent_from_metadata, mood_from_metadata

INTENTS_FILE = "intents.json"
MOOD_EXTRACTOR = "SharedEncoderMoodExtractor"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SharedEncoderIntentClassifier(GraphComponent, IntentClassifier):  # type: ignore[misc]
    @classmethod
    def required_components(cls) -> list[type]:
        """None: Rasa checks requirements on the training graph, where this component only reads
        the training data's intents and no classifier runs before it. The pipeline order in
        ``config.yml`` (after DIET and the fallback) is what matters at prediction time."""
        return []

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, intents: frozenset[str]
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.intents = intents

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SharedEncoderIntentClassifier:
        return cls(model_storage, resource, frozenset())

    def train(self, training_data: TrainingData) -> Resource:
        self.intents = frozenset(training_data.intents)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / INTENTS_FILE).write_text(json.dumps(sorted(self.intents)))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SharedEncoderIntentClassifier:
        with model_storage.read_from(resource) as directory:
            intents = json.loads((directory / INTENTS_FILE).read_text())
        return cls(model_storage, resource, frozenset(intents))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get(METADATA)
            if isinstance(metadata, dict):
                self._apply(message, metadata.get("intent"))
        return messages

    def _apply(self, message: Message, value: object) -> None:
        reading = intent_from_metadata(value)
        if reading is None:
            return
        ranking, threshold = reading
        known = [guess for guess in ranking if guess.name in self.intents]
        if not known or known[0].name != ranking[0].name:
            return  # the reader knows intents this model does not: DIET's answer stands
        rows = [{INTENT_NAME_KEY: g.name, PREDICTED_CONFIDENCE_KEY: g.confidence} for g in known]
        diet = message.get(INTENT) or {}
        agreed = diet.get(INTENT_NAME_KEY) == known[0].name
        if known[0].confidence < threshold and not agreed:
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: threshold,
            }
            rows.insert(0, fallback)
        message.set(INTENT, rows[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, rows, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SharedEncoderMoodExtractor(GraphComponent):  # type: ignore[misc]
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SharedEncoderMoodExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get(METADATA)
            if not isinstance(metadata, dict):
                continue
            mood = mood_from_metadata(metadata.get("emotion"))
            if mood is None:
                continue
            entities = [
                entity
                for entity in message.get(ENTITIES, [])
                if entity.get(ENTITY_ATTRIBUTE_TYPE) not in ("emotion", "tone")
            ]
            for name, value in (("emotion", mood.emotion), ("tone", mood.tone)):
                entities.append(
                    {
                        ENTITY_ATTRIBUTE_TYPE: name,
                        ENTITY_ATTRIBUTE_VALUE: value,
                        EXTRACTOR: MOOD_EXTRACTOR,
                    }
                )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
