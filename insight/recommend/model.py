"""The fitted parts of the recommender, each an estimator on plain arrays (scikit-learn's rules).

* ``SegmentPopularity``: time-decayed purchase counts, overall and per customer segment; each
  segment's counts are shrunk towards the overall shares, so a small segment is not ruled by a
  handful of orders.
* ``CategoryTransitions``: collaborative filtering at the category level, P(a customer buys in
  category b | they bought or browsed in category a), from every customer's interactions. The
  demo shop has about 1.7 orders per customer over 550 products, too sparse for products alone;
  categories pool the evidence (there, categories of one department are bought together).
* ``CollaborativeFilter``: implicit's CPU ALS on customer × product confidences. Only the
  product factors are kept: a customer's vector is recomputed from their own history at query
  time (the same least-squares step ALS takes), so customers who ordered after the build, or
  never appeared in it, are served too.
* ``ContentNeighbours``: every product's nearest products by text embedding (cosine), found
  with a FAISS index at build time (exact up to ``exact_max`` products, IVF above) and kept as a
  table, so that no request searches an index.

``train`` fits all four from ``ShopInteractions`` and product embeddings into a
``RecommenderModel``, which ``insight.recommend.build`` saves and loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt
import pandas as pd
from implicit.cpu.als import AlternatingLeastSquares
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.embeddings import Vectors
from insight.recommend.interactions import PURCHASE, ShopInteractions

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
REVIEWS_PRIOR = 5  # a product's sentiment counts half with this many reviews


@dataclass(frozen=True)
class RecommendConfig:
    """Training settings (the artefact is keyed by them). Chosen on the demo shop with an
    earlier time split than the evaluation's, see ``insight.recommend.evaluate``."""

    factors: int = 32
    regularization: float = 10.0
    alpha: float = 5.0
    iterations: int = 15
    neighbours: int = 50
    exact_neighbours_max: int = 20_000
    popularity_half_life_days: float = 90.0
    history_half_life_days: float = 365.0
    segment_prior: float = 20.0
    category_prior: float = 0.5
    random_state: int = 0
    threads: int = 1


class SegmentPopularity(BaseEstimator):  # type: ignore[misc]
    def __init__(self, half_life_days: float = 90.0, prior: float = 20.0) -> None:
        self.half_life_days = half_life_days
        self.prior = prior

    def fit(
        self,
        items: IntArray,
        ages_days: npt.NDArray[np.float64],
        segments: IntArray,
        n_items: int,
        n_segments: int,
    ) -> SegmentPopularity:
        """``segments[j]`` is the buyer's segment of purchase ``j`` (-1 when unknown)."""
        decay = 0.5 ** (np.maximum(ages_days, 0.0) / self.half_life_days)
        overall = np.bincount(items, weights=decay, minlength=n_items)
        per_segment = np.zeros((n_segments, n_items))
        known = segments >= 0
        np.add.at(per_segment, (segments[known], items[known]), decay[known])
        share = overall / max(float(overall.sum()), 1e-12)
        self.overall_ = overall.astype(np.float32)
        self.by_segment_ = (per_segment + self.prior * share).astype(np.float32)
        return self

    def _smoothed(self, segment: int | None) -> FloatArray:
        """Counts plus a tenth of the mean count, so that nothing has zero probability."""
        counts = self.overall_ if segment is None else self.by_segment_[segment]
        smoothed: FloatArray = (counts + 0.1 * max(float(counts.mean()), 1e-6)).astype(np.float32)
        return smoothed

    def category_mass(
        self, categories: IntArray, n_categories: int, segment: int | None
    ) -> FloatArray:
        """Each category's share of the (segment's) purchases."""
        mass = np.bincount(categories, weights=self._smoothed(segment), minlength=n_categories)
        shares: FloatArray = (mass / mass.sum()).astype(np.float32)
        return shares

    def within_category(self, categories: IntArray, n_categories: int) -> FloatArray:
        """Each product's share of its category's purchases."""
        counts = self._smoothed(None)
        mass = np.bincount(categories, weights=counts, minlength=n_categories)
        shares: FloatArray = (counts / mass[categories]).astype(np.float32)
        return shares

    def scores(self, segment: int | None) -> FloatArray:
        """Popularity in [0, 1] on a log scale: overall, or within ``segment``."""
        counts = self.overall_ if segment is None else self.by_segment_[segment]
        peak = max(float(np.log1p(counts.max())), 1e-12)
        scaled: FloatArray = (np.log1p(counts) / peak).astype(np.float32)
        return scaled


class CategoryTransitions(BaseEstimator):  # type: ignore[misc]
    def __init__(self, prior: float = 0.5) -> None:
        self.prior = prior

    def fit(
        self,
        customers: IntArray,
        categories: IntArray,
        purchased: npt.NDArray[np.bool_],
        prior_mass: FloatArray,
    ) -> CategoryTransitions:
        """One row per interaction: its customer (codes from 0), product category and whether
        it was a purchase. Row ``a`` of ``transitions_`` is the distribution of the categories
        that customers with an interaction in ``a`` bought in (each other interaction of theirs
        counts once per purchase, a purchase never counts for itself), mixed with ``prior`` of
        ``prior_mass``, the shop-wide category shares."""
        shape = (int(customers.max()) + 1 if len(customers) else 0, len(prior_mass))
        ones = np.ones(len(customers))
        seen = csr_matrix((ones, (customers, categories)), shape=shape)
        bought = csr_matrix(
            (ones[purchased], (customers[purchased], categories[purchased])), shape=shape
        )
        per_other = (1 / np.maximum(np.asarray(seen.sum(axis=1)).ravel() - 1, 1))[:, None]
        pairs = (csr_matrix(seen.multiply(per_other)).T @ bought).toarray()
        pairs -= np.diag(np.asarray(bought.multiply(per_other).sum(axis=0)).ravel())
        rows = np.maximum(pairs, 0.0) + self.prior * prior_mass[None, :]
        self.transitions_ = (rows / rows.sum(axis=1, keepdims=True)).astype(np.float32)
        return self

    def categories(self, seen: IntArray, weights: npt.NDArray[np.float64]) -> FloatArray:
        """The category distribution of a customer's next purchase, from the categories of
        their interactions (weighted)."""
        mixed = weights @ self.transitions_[seen] / max(float(weights.sum()), 1e-12)
        shares: FloatArray = np.asarray(mixed, dtype=np.float32)
        return shares


class CollaborativeFilter(BaseEstimator):  # type: ignore[misc]
    def __init__(
        self,
        *,
        factors: int = 32,
        regularization: float = 10.0,
        alpha: float = 5.0,
        iterations: int = 15,
        random_state: int = 0,
        threads: int = 1,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.threads = threads

    def _solver(self) -> AlternatingLeastSquares:
        # implicit warns about a multi-threaded BLAS when it is created; ours is limited
        with threadpool_limits(limits=self.threads, user_api="blas"):
            return AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.random_state,
                num_threads=self.threads,
            )

    def fit(self, user_items: csr_matrix) -> CollaborativeFilter:
        """``user_items``: customers × products, the summed weights of their interactions."""
        solver = self._solver()
        solver.fit(user_items.astype(np.float32), show_progress=False)
        return self.with_item_factors(np.asarray(solver.item_factors, dtype=np.float32))

    def with_item_factors(self, item_factors: FloatArray) -> CollaborativeFilter:
        """Restore a fitted filter from its product factors (what the artefact stores)."""
        self.item_factors_ = np.ascontiguousarray(item_factors, dtype=np.float32)
        norms = np.linalg.norm(self.item_factors_, axis=1, keepdims=True)
        self.unit_factors_ = self.item_factors_ / np.maximum(norms, 1e-6)
        folder = self._solver()
        folder.item_factors = self.item_factors_
        self.folder_ = folder
        return self

    def fold_in(self, items: IntArray, weights: npt.NDArray[np.float64]) -> FloatArray:
        """A customer's factors from their interactions (products may repeat; weights add)."""
        row = csr_matrix(
            (weights.astype(np.float32), (np.zeros(len(items), dtype=np.int64), items)),
            shape=(1, len(self.item_factors_)),
        )
        row.sum_duplicates()
        vector: FloatArray = self.folder_.recalculate_user(0, row)
        return vector

    def scores(self, vector: FloatArray) -> FloatArray:
        scored: FloatArray = self.item_factors_ @ vector
        return scored


class ContentNeighbours(BaseEstimator):  # type: ignore[misc]
    def __init__(self, k: int = 50, exact_max: int = 20_000, threads: int = 1) -> None:
        self.k = k
        self.exact_max = exact_max
        self.threads = threads

    def fit(self, vectors: Vectors) -> ContentNeighbours:
        """``vectors``: one L2-normalised row per product."""
        count, dim = vectors.shape
        k = min(self.k, count - 1)
        faiss.omp_set_num_threads(self.threads)
        index: faiss.Index
        if count <= self.exact_max:
            index = faiss.IndexFlatIP(dim)
        else:
            lists = int(math.sqrt(count))
            index = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT
            )
            index.train(vectors)
            index.nprobe = 8
        index.add(vectors)
        similarities, found = index.search(vectors, k + 1)
        # drop each product itself from its own list (or the last neighbour when not listed)
        order = np.argsort(found == np.arange(count)[:, None], axis=1, kind="stable")[:, :k]
        neighbours = np.take_along_axis(found, order, axis=1)
        similarities = np.take_along_axis(similarities, order, axis=1)
        self.neighbours_ = np.where(neighbours >= 0, neighbours, 0).astype(np.int64)
        self.similarities_ = np.where(neighbours >= 0, similarities, 0.0).astype(np.float32)
        return self

    def with_table(self, neighbours: IntArray, similarities: FloatArray) -> ContentNeighbours:
        self.neighbours_ = neighbours.astype(np.int64)
        self.similarities_ = similarities.astype(np.float32)
        return self

    def scores(self, items: IntArray, weights: npt.NDArray[np.float64]) -> FloatArray:
        """Per product: the weighted mean similarity to ``items`` (0 outside their tables)."""
        if not len(items):
            return np.zeros(len(self.neighbours_), dtype=np.float32)
        spread = self.similarities_[items] * weights[:, None]
        total = np.bincount(
            self.neighbours_[items].ravel(), weights=spread.ravel(), minlength=len(self.neighbours_)
        )
        mean: FloatArray = (total / max(float(weights.sum()), 1e-12)).astype(np.float32)
        return mean

    def similarity(self, sources: IntArray, target: int) -> FloatArray:
        """Cosine of each source's text to ``target``'s (0 when not among its nearest ``k``)."""
        hits = self.neighbours_[sources] == target
        found: FloatArray = (hits * self.similarities_[sources]).max(axis=1, initial=0.0)
        return found


@dataclass(frozen=True)
class Catalogue:
    """The products the model knows, by position (``position`` maps product id → position)."""

    product_ids: IntArray
    names: tuple[str, ...]
    categories: IntArray
    category_names: tuple[str, ...]
    brands: IntArray
    brand_names: tuple[str, ...]
    prices: npt.NDArray[np.float64]
    price_positions: FloatArray  # price rank within the product's category, 0 (cheapest) to 1
    sentiment: FloatArray  # review sentiment in [-1, 1], shrunk to 0 for few reviews

    @classmethod
    def from_frames(cls, products: pd.DataFrame, sentiment: pd.DataFrame) -> Catalogue:
        if not products["product_id"].is_monotonic_increasing:
            raise ValueError("products must be ordered by product id")
        categories, category_names = pd.factorize(products["category"], sort=True)
        brands, brand_names = pd.factorize(products["brand"], sort=True)
        prices = products["price"].to_numpy(dtype=np.float64)
        ranks = products.groupby("category")["price"].rank(method="average")
        sizes = products.groupby("category")["price"].transform("size")
        positions: pd.Series = ((ranks - 1) / np.maximum(sizes - 1, 1)).where(sizes > 1, 0.5)
        reviewed = sentiment.set_index("product_id")
        scores = reviewed["sentiment"] * reviewed["reviews"] / (reviewed["reviews"] + REVIEWS_PRIOR)
        return cls(
            product_ids=products["product_id"].to_numpy(dtype=np.int64),
            names=tuple(products["name"].astype(str)),
            categories=categories.astype(np.int64),
            category_names=tuple(str(name) for name in category_names),
            brands=brands.astype(np.int64),
            brand_names=tuple(str(name) for name in brand_names),
            prices=prices,
            price_positions=positions.to_numpy(dtype=np.float32),
            sentiment=scores.reindex(products["product_id"]).fillna(0.0).to_numpy(np.float32),
        )

    @property
    def size(self) -> int:
        return len(self.product_ids)

    def positions(self, product_ids: npt.ArrayLike) -> IntArray:
        """Positions of ``product_ids`` (-1 for products the model does not know)."""
        ids = np.asarray(product_ids, dtype=np.int64)
        found = np.searchsorted(self.product_ids, ids)
        found = np.minimum(found, max(self.size - 1, 0))
        known = (self.size > 0) & (self.product_ids[found] == ids)
        return np.where(known, found, -1).astype(np.int64)


@dataclass(frozen=True)
class RecommenderModel:
    catalogue: Catalogue
    popularity: SegmentPopularity
    transitions: CategoryTransitions
    collaborative: CollaborativeFilter
    content: ContentNeighbours
    segment_names: tuple[str, ...]
    trained_until: pd.Timestamp

    def segment_code(self, name: str | None) -> int | None:
        return self.segment_names.index(name) if name in self.segment_names else None


def age_days(at: pd.Series, now: pd.Timestamp) -> npt.NDArray[np.float64]:
    seconds: pd.Series = (now - at).dt.total_seconds()
    return seconds.to_numpy(dtype=np.float64) / 86_400


def decay_weights(
    weights: pd.Series, at: pd.Series, now: pd.Timestamp, half_life_days: float
) -> npt.NDArray[np.float64]:
    """``weight · 0.5 ** (age / half-life)``; events after ``now`` count in full."""
    ages = age_days(at, now)
    decayed: npt.NDArray[np.float64] = weights.to_numpy(np.float64) * 0.5 ** (
        np.maximum(ages, 0.0) / half_life_days
    )
    return decayed


def user_items(
    shop: ShopInteractions, catalogue: Catalogue, now: pd.Timestamp, half_life_days: float
) -> csr_matrix:
    """Customers × products: summed, time-decayed interaction weights (customers in id order)."""
    items = catalogue.positions(shop.events["product_id"])
    events = shop.events[items >= 0]
    customers, _ = pd.factorize(events["customer_id"], sort=True)
    weights = decay_weights(events["weight"], events["at"], now, half_life_days)
    matrix = csr_matrix(
        (weights, (customers, items[items >= 0])),
        shape=(int(customers.max()) + 1 if len(customers) else 0, catalogue.size),
    )
    matrix.sum_duplicates()
    return matrix


def train(shop: ShopInteractions, vectors: Vectors, config: RecommendConfig) -> RecommenderModel:
    """Fit every part on ``shop`` (its products in ``shop.products`` order, one vector each).

    BLAS runs on ``config.threads`` threads: on a small shared machine one thread is fastest.
    """
    if len(vectors) != len(shop.products):
        raise ValueError("one embedding per product is required")
    with threadpool_limits(limits=config.threads):
        return _train(shop, vectors, config)


def _train(shop: ShopInteractions, vectors: Vectors, config: RecommendConfig) -> RecommenderModel:
    catalogue = Catalogue.from_frames(shop.products, shop.sentiment)
    now = shop.events["at"].max() if len(shop.events) else pd.Timestamp(0)
    segment_names = tuple(sorted(shop.segments["segment"].unique()))
    segment_of = shop.segments.set_index("customer_id")["segment"]
    purchases = shop.purchases
    bought = catalogue.positions(purchases["product_id"])
    buyer_segments = (
        purchases["customer_id"]
        .map(segment_of)
        .map({name: code for code, name in enumerate(segment_names)})
        .fillna(-1)
        .to_numpy(dtype=np.int64)
    )
    popularity = SegmentPopularity(config.popularity_half_life_days, config.segment_prior).fit(
        bought[bought >= 0],
        age_days(purchases["at"], now)[bought >= 0],
        buyer_segments[bought >= 0],
        catalogue.size,
        len(segment_names),
    )
    interacted = catalogue.positions(shop.events["product_id"])
    known = shop.events[interacted >= 0]
    transitions = CategoryTransitions(config.category_prior).fit(
        pd.factorize(known["customer_id"])[0].astype(np.int64),
        catalogue.categories[interacted[interacted >= 0]],
        (known["kind"] == PURCHASE).to_numpy(),
        popularity.category_mass(catalogue.categories, len(catalogue.category_names), None),
    )
    collaborative = CollaborativeFilter(
        factors=config.factors,
        regularization=config.regularization,
        alpha=config.alpha,
        iterations=config.iterations,
        random_state=config.random_state,
        threads=config.threads,
    ).fit(user_items(shop, catalogue, now, config.history_half_life_days))
    content = ContentNeighbours(config.neighbours, config.exact_neighbours_max, config.threads)
    return RecommenderModel(
        catalogue=catalogue,
        popularity=popularity,
        transitions=transitions,
        collaborative=collaborative,
        content=content.fit(np.ascontiguousarray(vectors, dtype=np.float32)),
        segment_names=segment_names,
        trained_until=now,
    )
