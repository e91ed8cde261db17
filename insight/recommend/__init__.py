"""Personalised product suggestions: collaborative filtering, content similarity and the fused
profile, with a reason for every suggestion.

``python -m insight build recommend`` trains the artefact from the shop database (cached by a
hash of its inputs); ``HybridRecommender`` (``insight.recommend.service``) serves it behind the
assistant's ``Recommender`` port and falls back to the catalogue while no artefact exists.
``eval recommend`` and ``bench recommend`` measure it. The modules:

* ``contracts``: what crosses the boundary (``Suggestion``, ``Reason``)
* ``interactions``: purchases, browsing and returns read from the shop
* ``model``: the fitted parts (popularity by segment, ALS, content neighbours)
* ``ranking``: blending, re-ranking with the profile, exclusions and reasons
* ``build``: the cached artefact; ``service``: the port; ``evaluate``, ``bench``
"""
