"""The shoppers' taste model: which products each demo customer buys and looks at.

The recommender evaluation measures how well a model recovers these tastes from the seeded
purchases and browsing, so the generator is spelled out here. For customer *u* and product *p*
of category *c(p)*, brand *b(p)* and price band *k(p)* (0 budget, 1 mid-range, 2 premium: the
price tercile within the category)::

    P(p | u) = θ_u[c(p)] · q_u(p) / Σ_{p' in c(p)} q_u(p')
    q_u(p)   = pop(p) · (FAVOURITE_BRAND_BOOST if b(p) in F_u else 1)
                      · exp(-(k(p)/2 - s_u)² / (2 · BAND_WIDTH²))

* θ_u, the category affinities, ~ Dirichlet(CATEGORY_CONCENTRATION · base + DEPARTMENT_PULL · d_u).
  ``base`` is each category's share of the catalog's products; ``d_u`` spreads the customer's
  packaged orders over their departments (each packaged product type maps to a department of
  related categories, see :data:`DEPARTMENTS`) and, inside a department, over its categories in
  proportion to ``base``. The small prior mass makes tastes sparse: most customers favour a few
  categories, led by the departments they bought from in the packaged data.
* F_u, the favourite brands: FAVOURITE_BRANDS brands drawn without replacement with weight
  proportional to the brand's summed product popularity.
* s_u, the spend level in [0, 1]: the rank of the customer's mean packaged unit price. Budget,
  mid-range and premium products sit at 0, 0.5 and 1 on the same scale.
* pop(p) = 1 + ln(1 + the listing's review count): bestsellers are bought more by everyone.

An order's first line is drawn from P(p | u) restricted to the department of its packaged
product type; each accessory or impulse add-on of the packaged order adds a line drawn from the
unrestricted P(p | u). Product pages in browsing sessions are drawn from P(p | u) too (see
:mod:`insight.demo.browsing`). Tastes do not drift: the same P(p | u) holds for the whole year,
so held-out later purchases are predictable from earlier behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CATEGORY_CONCENTRATION = 2.0
DEPARTMENT_PULL = 3.0
FAVOURITE_BRANDS = 2
FAVOURITE_BRAND_BOOST = 6.0
BAND_WIDTH = 0.35
SAMPLE_BATCH = 4096

# The packaged product types and the catalog categories they stand for. The catalog sells no
# smartphones, so "Smartphone" stands for phones and the connected home.
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Laptop": (
        "Laptops & Notebook Computers",
        "Gaming Laptops & Notebook Computers",
        "Desktop Computers & PCs",
        "Gaming Desktop Computer & PCs",
        "Mini PC Desktop Computer & PCs",
        "Monitors",
        "Hard Drives, SSD & Storage",
        "Routers, Wifi Extenders & Modems",
    ),
    "Tablet": (
        "iPad & Tablets",
        "Video Games & Consoles",
        "Streaming Devices",
        "TVs",
        "Projectors",
    ),
    "Smartphone": (
        "Phones & Two-way Radios",
        "Smart Home & Safety",
        "Home Security Systems & Cameras",
    ),
    "Smartwatch": ("Smart Watches", "Cameras & Camcorders", "Batteries"),
    "Headphones": (
        "Headphones & Earbuds",
        "Speakers & Voice Assistants",
        "Soundbars & Home Theater",
        "Musical Instruments",
    ),
}


@dataclass(frozen=True)
class TasteModel:
    """The catalog as the taste model sees it; build it with :meth:`from_products`."""

    category: np.ndarray  # (P,) category code of each product
    brand: np.ndarray  # (P,) brand code of each product
    band_position: np.ndarray  # (P,) 0, 0.5 or 1
    popularity: np.ndarray  # (P,)
    base: np.ndarray  # (C,) share of products per category
    brand_weight: np.ndarray  # (B,)
    department_spread: np.ndarray  # (D, C) rows sum to 1
    department_products: np.ndarray  # (D, P) bool
    departments: tuple[str, ...]

    @classmethod
    def from_products(cls, products: pd.DataFrame) -> TasteModel:
        categories, category = np.unique(
            products["category"].to_numpy(dtype=str), return_inverse=True
        )
        brands, brand = np.unique(products["brand"].to_numpy(dtype=str), return_inverse=True)
        popularity = products["popularity"].to_numpy(dtype=np.float64)
        base = np.bincount(category, minlength=len(categories)) / len(category)
        names = tuple(DEPARTMENTS)
        member = np.array([[c in DEPARTMENTS[d] for c in categories] for d in names])
        if not member.any(axis=0).all():
            missing = categories[~member.any(axis=0)]
            raise ValueError(f"categories outside every department: {list(missing)}")
        spread = member * base
        return cls(
            category=category,
            brand=brand,
            band_position=products["band"].to_numpy(dtype=np.float64) / 2,
            popularity=popularity,
            base=base,
            brand_weight=np.bincount(brand, weights=popularity, minlength=len(brands)),
            department_spread=spread / spread.sum(axis=1, keepdims=True),
            department_products=member[:, category],
            departments=names,
        )

    def department_codes(self, departments: pd.Series) -> np.ndarray:
        return departments.map({name: i for i, name in enumerate(self.departments)}).to_numpy(
            dtype=np.int64
        )

    def preferences(
        self, department_counts: np.ndarray, spend: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """P(p | u) for a batch of customers: an (n, P) matrix whose rows sum to 1.

        ``department_counts`` is (n, D): how many packaged orders each customer has per
        department; ``spend`` is (n,).
        """
        count = len(spend)
        shares = department_counts / np.maximum(department_counts.sum(axis=1, keepdims=True), 1)
        alpha = CATEGORY_CONCENTRATION * self.base + DEPARTMENT_PULL * (
            shares @ self.department_spread
        )
        theta = rng.gamma(alpha)
        theta /= theta.sum(axis=1, keepdims=True)

        gumbel = -np.log(-np.log(rng.random((count, len(self.brand_weight)))))
        keys = np.log(self.brand_weight) + gumbel
        favourites = np.argpartition(-keys, FAVOURITE_BRANDS - 1, axis=1)[:, :FAVOURITE_BRANDS]
        is_favourite = np.zeros_like(keys, dtype=bool)
        np.put_along_axis(is_favourite, favourites, True, axis=1)

        band = np.exp(-((self.band_position[None, :] - spend[:, None]) ** 2) / (2 * BAND_WIDTH**2))
        quality = (
            self.popularity
            * np.where(is_favourite[:, self.brand], FAVOURITE_BRAND_BOOST, 1.0)
            * band
        )
        per_category = quality @ (self.category[:, None] == np.arange(len(self.base))).astype(float)
        probs: np.ndarray = theta[:, self.category] * quality / per_category[:, self.category]
        return probs

    def sample(
        self,
        probs: np.ndarray,
        rows: np.ndarray,
        rng: np.random.Generator,
        departments: np.ndarray | None = None,
    ) -> np.ndarray:
        """Draw one product position per entry of ``rows`` (row of ``probs`` to draw from).

        With ``departments`` (a department code per draw) the draw is restricted to that
        department's products.
        """
        drawn = np.empty(len(rows), dtype=np.int64)
        for start in range(0, len(rows), SAMPLE_BATCH):
            part = slice(start, start + SAMPLE_BATCH)
            weights = probs[rows[part]]
            if departments is not None:
                weights = weights * self.department_products[departments[part]]
            cumulative = np.cumsum(weights, axis=1)
            targets = rng.random(len(weights)) * cumulative[:, -1]
            drawn[part] = np.minimum(
                (cumulative <= targets[:, None]).sum(axis=1), weights.shape[1] - 1
            )
        return drawn
