"""Scoring, re-ranking with the fused profile, exclusions and reasons, over a fitted model.

A customer's score for every product is ``log P(category) + log P(product | category)`` plus
weighted terms (``BlendWeights``):

* P(category): where customers who bought or browsed what this customer did went on to buy
  (category transitions); for a customer without history, their segment's category shares;
* P(product | category): the product's share of its category's purchases (popularity);
* ALS: the customer's folded-in factors · the product's, scaled so the best product is 1;
* content: the mean text similarity of the product to what the customer bought or looked at,
  scaled the same way;
* the fused profile: the product's category among the customer's top categories (1, 0.7, 0.5
  by rank), its brand among their top brands (same), the squared distance of its price rank in
  its category from the customer's usual one (from their purchases, else their profile's price
  band), and the product's review sentiment in [-1, 1].

Every product outside ``allowed`` (bought, returned, out of stock, outside the category or budget
asked for) is left out before the top ``k`` are taken.

Each pick gets one reason, the most specific that holds: related (text cosine or ALS factor
cosine at least :data:`ANCHOR_SIMILARITY`) to a product the customer bought, else to one they
looked at; else from one of their top categories; else popular in their segment; else popular.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from insight.profiles.behaviour import PRICE_BANDS
from insight.profiles.contracts import CustomerProfile
from insight.recommend.contracts import Reason, ReasonKind
from insight.recommend.interactions import EVENT_WEIGHTS, PURCHASE
from insight.recommend.model import FloatArray, IntArray, RecommenderModel, decay_weights

BoolArray = npt.NDArray[np.bool_]
Method = Literal["popularity", "als", "content", "hybrid"]
METHODS: tuple[Method, ...] = ("popularity", "als", "content", "hybrid")
AFFINITY_BY_RANK = (1.0, 0.7, 0.5)
BAND_PRICE_POSITION = dict(zip(PRICE_BANDS, (1 / 6, 1 / 2, 5 / 6), strict=True))
ANCHOR_SIMILARITY = 0.6
VIEWED_DISCOUNT = 0.9  # a purchase names the reason before an equally related page view
SIMILAR_FACTOR_WEIGHT = 0.3
SIMILAR_PRICE_WEIGHT = 0.2


@dataclass(frozen=True)
class BlendWeights:
    """Chosen on the demo shop's validation split (see ``insight.recommend.evaluate``). There
    the profile terms move HR@10 by less than its noise: a customer's own history says the same
    as their profile; they matter for customers whose history the model cannot read (products
    added after the build)."""

    als: float = 0.5
    content: float = 0.1
    category: float = 0.1
    brand: float = 0.1
    price: float = 3.0
    sentiment: float = 0.3


@dataclass(frozen=True)
class History:
    """A customer's interactions as catalogue positions (repeats allowed), weighted."""

    items: IntArray
    weights: npt.NDArray[np.float64]
    bought: BoolArray  # per interaction: a purchase (else a browsing event)

    @classmethod
    def empty(cls) -> History:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, np.bool_))

    @classmethod
    def from_events(
        cls,
        model: RecommenderModel,
        events: pd.DataFrame,
        now: pd.Timestamp,
        half_life_days: float,
    ) -> History:
        """``events``: product_id, kind, at (kinds of ``EVENT_WEIGHTS``; unknown products are
        skipped)."""
        items = model.catalogue.positions(events["product_id"])
        known = events[items >= 0]
        weights = decay_weights(
            known["kind"].map(EVENT_WEIGHTS).fillna(0.0), known["at"], now, half_life_days
        )
        return cls(items[items >= 0], weights, (known["kind"] == PURCHASE).to_numpy())

    def aggregated(self) -> Aggregate:
        items, inverse, counts = np.unique(self.items, return_inverse=True, return_counts=True)
        weights = np.bincount(inverse, weights=self.weights, minlength=len(items))
        purchases = np.bincount(
            inverse, weights=self.bought.astype(np.float64), minlength=len(items)
        )
        return Aggregate(
            items, np.asarray(weights, np.float64), purchases > 0, counts.astype(np.float64)
        )


@dataclass(frozen=True)
class Aggregate:
    """Distinct products, their summed weights, whether any interaction was a purchase, and how
    many interactions each had."""

    items: IntArray
    weights: npt.NDArray[np.float64]
    bought: BoolArray
    counts: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Taste:
    """What the re-ranking reads from the fused profile."""

    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_band: str | None = None
    segment: str | None = None

    @classmethod
    def of(cls, profile: CustomerProfile | None) -> Taste:
        if profile is None:
            return cls()
        return cls(profile.top_categories, profile.top_brands, profile.price_band, profile.segment)


@dataclass(frozen=True)
class Pick:
    item: int
    score: float
    reason: Reason


def top(scores: FloatArray, allowed: BoolArray, k: int) -> IntArray:
    """Positions of the ``k`` best allowed scores, best first (ties: lower position first)."""
    count = min(k, int(allowed.sum()))
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    masked = np.where(allowed, scores, -np.inf)
    best = np.argpartition(-masked, count - 1)[:count]
    return best[np.lexsort((best, -masked[best]))].astype(np.int64)


def _scaled(values: FloatArray) -> FloatArray:
    peak = float(np.abs(values).max()) if len(values) else 0.0
    scaled: FloatArray = values / peak if peak > 0 else values
    return scaled


class Ranker:
    """Answers the query modes over one fitted model; holds no per-customer state."""

    def __init__(self, model: RecommenderModel, weights: BlendWeights | None = None) -> None:
        self.model = model
        self.weights = weights or BlendWeights()

    @cached_property
    def _lower_names(self) -> npt.NDArray[np.str_]:
        return np.array([name.lower() for name in self.model.catalogue.names], dtype=np.str_)

    def allowed(
        self,
        *,
        terms: Sequence[str] = (),
        max_price: Decimal | None = None,
        excluded: npt.ArrayLike = (),
    ) -> BoolArray:
        """Products whose category or name contains one of ``terms`` (any when none), priced
        within ``max_price``, minus the ``excluded`` positions."""
        catalogue = self.model.catalogue
        mask = np.ones(catalogue.size, dtype=np.bool_)
        if terms:
            lowered = [name.lower() for name in catalogue.category_names]
            named = np.zeros(catalogue.size, dtype=np.bool_)
            for term in terms:
                codes = [code for code, name in enumerate(lowered) if term in name]
                named |= np.isin(catalogue.categories, codes)
                named |= np.char.find(self._lower_names, term) >= 0
            mask &= named
        if max_price is not None:
            mask &= catalogue.prices <= float(max_price)
        drop = np.asarray(excluded, dtype=np.int64)
        mask[drop[drop >= 0]] = False
        return mask

    def _affinity(self, names: Sequence[str], codes: IntArray, lookup: list[str]) -> FloatArray:
        by_code = np.zeros(len(lookup) + 1, dtype=np.float32)
        for rank, name in enumerate(names[: len(AFFINITY_BY_RANK)]):
            if name in lookup:
                by_code[lookup.index(name)] = AFFINITY_BY_RANK[rank]
        affinity: FloatArray = by_code[codes]
        return affinity

    @cached_property
    def _lookups(self) -> tuple[list[str], list[str]]:
        catalogue = self.model.catalogue
        return list(catalogue.category_names), list(catalogue.brand_names)

    @cached_property
    def _log_within(self) -> FloatArray:
        catalogue = self.model.catalogue
        shares = self.model.popularity.within_category(
            catalogue.categories, len(catalogue.category_names)
        )
        logged: FloatArray = np.log(shares)
        return logged

    def _next_category(self, seen: Aggregate, segment: int | None) -> FloatArray:
        catalogue, model = self.model.catalogue, self.model
        if len(seen.items):
            return model.transitions.categories(catalogue.categories[seen.items], seen.counts)
        return model.popularity.category_mass(
            catalogue.categories, len(catalogue.category_names), segment
        )

    def _price_level(self, seen: Aggregate, taste: Taste) -> float | None:
        """The customer's usual price rank within a category: from purchases, else the band."""
        if seen.bought.any():
            positions = self.model.catalogue.price_positions[seen.items[seen.bought]]
            return float(np.average(positions, weights=seen.weights[seen.bought]))
        return BAND_PRICE_POSITION.get(taste.price_band or "")

    @cached_property
    def _base(self) -> FloatArray:
        """The part of every hybrid score that is the same for all customers."""
        catalogue = self.model.catalogue
        base = self._log_within + self.weights.sentiment * catalogue.sentiment
        return base.astype(np.float32)

    def _als(self, seen: Aggregate) -> FloatArray:
        if not len(seen.items):
            return np.zeros(self.model.catalogue.size, dtype=np.float32)
        collaborative = self.model.collaborative
        return _scaled(collaborative.scores(collaborative.fold_in(seen.items, seen.weights)))

    def _content(self, seen: Aggregate) -> FloatArray:
        return _scaled(self.model.content.scores(seen.items, seen.weights))

    def scores(self, method: Method, history: History, taste: Taste) -> FloatArray:
        """One score per product for ``method`` (higher is better)."""
        model, w, catalogue = self.model, self.weights, self.model.catalogue
        if method == "popularity":
            return model.popularity.scores(None)
        seen = history.aggregated()
        if method == "als":
            return self._als(seen)
        if method == "content":
            return self._content(seen)
        segment = model.segment_code(taste.segment)
        blended = self._base + np.log(self._next_category(seen, segment))[catalogue.categories]
        if len(seen.items):
            blended += w.als * self._als(seen)
            blended += w.content * self._content(seen)
        categories, brands = self._lookups
        if taste.categories:
            blended += w.category * self._affinity(
                taste.categories, catalogue.categories, categories
            )
        if taste.brands:
            blended += w.brand * self._affinity(taste.brands, catalogue.brands, brands)
        level = self._price_level(seen, taste)
        if level is not None:
            gap = catalogue.price_positions - np.float32(level)
            blended -= w.price * gap * gap
        return blended

    def for_customer(
        self, history: History, taste: Taste, allowed: BoolArray, k: int
    ) -> list[Pick]:
        scores = self.scores("hybrid", history, taste)
        seen = history.aggregated()
        return [
            Pick(int(item), float(scores[item]), self._reason(int(item), seen, taste))
            for item in top(scores, allowed, k)
        ]

    def _reason(self, item: int, seen: Aggregate, taste: Taste) -> Reason:
        model = self.model
        names = model.catalogue.names
        history, bought = seen.items, seen.bought
        if len(history):
            related = np.maximum(
                model.content.similarity(history, item),
                model.collaborative.unit_factors_[history]
                @ model.collaborative.unit_factors_[item],
            )
            ranked = related * np.where(bought, 1.0, VIEWED_DISCOUNT)
            best = int(np.argmax(ranked))
            if related[best] >= ANCHOR_SIMILARITY:
                kind = ReasonKind.BOUGHT if bought[best] else ReasonKind.VIEWED
                return Reason(kind, names[history[best]])
        category = model.catalogue.category_names[model.catalogue.categories[item]]
        if category in taste.categories:
            return Reason(ReasonKind.FAVOURITE, category)
        if model.segment_code(taste.segment) is not None:
            return Reason(ReasonKind.SEGMENT)
        return Reason(ReasonKind.POPULAR)

    def similar(self, item: int, allowed: BoolArray, k: int) -> list[Pick]:
        """Text neighbours of ``item``, same category first, nudged by ALS and price closeness."""
        model = self.model
        catalogue, factors = model.catalogue, model.collaborative.unit_factors_
        candidates = model.content.neighbours_[item]
        keep = allowed[candidates] & (candidates != item)
        candidates = candidates[keep]
        price_gap = np.abs(
            np.log1p(catalogue.prices[candidates]) - np.log1p(catalogue.prices[item])
        )
        scores = (
            model.content.similarities_[item][keep]
            + SIMILAR_FACTOR_WEIGHT * (factors[candidates] @ factors[item])
            - SIMILAR_PRICE_WEIGHT * price_gap
        )
        same = catalogue.categories[candidates] == catalogue.categories[item]
        order = np.lexsort((candidates, -scores, ~same))[:k]
        reason = Reason(ReasonKind.SIMILAR, catalogue.names[item])
        return [Pick(int(candidates[i]), float(scores[i]), reason) for i in order]

    def complements(self, basket: IntArray, allowed: BoolArray, k: int) -> list[Pick]:
        """What buyers of ``basket``'s products went on to buy, from other categories than its
        own: category transitions from the basket, then ALS within them."""
        model, catalogue = self.model, self.model.catalogue
        if not len(basket):
            return []
        seen = History(basket, np.ones(len(basket)), np.ones(len(basket), np.bool_)).aggregated()
        own = np.unique(catalogue.categories[seen.items])
        vector = model.collaborative.fold_in(seen.items, seen.weights)
        scores = (
            np.log(self._next_category(seen, None))[catalogue.categories]
            + self._log_within
            + self.weights.als * _scaled(model.collaborative.scores(vector))
        )
        other = ~np.isin(catalogue.categories, own)
        picks = []
        for item in top(scores, allowed & other, k):
            leads = model.transitions.transitions_[catalogue.categories[seen.items]]
            anchor = seen.items[int(np.argmax(leads[:, catalogue.categories[item]]))]
            reason = Reason(ReasonKind.GOES_WITH, catalogue.names[anchor])
            picks.append(Pick(int(item), float(scores[item]), reason))
        return picks
