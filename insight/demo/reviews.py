"""Product reviews written with real Amazon review sentences (VADER ground truth, ICWSM 2014).

A delivered line is reviewed with chance 0.35 for the order's department line, 0.15 for
add-ons and 0.6 when it was returned, between two hours and three weeks after delivery (if
that is before :data:`~insight.demo.clock.DEMO_NOW`); a customer reviews a product once, the
first time. The star rating is the packaged order's rating for the department line, one or
two stars for returned products, and otherwise the listing's average stars plus noise. The
text is one or two sentences whose human valence falls in that rating's band
(:data:`VALENCE_EDGES`), so text and stars agree the way people rated them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.db.models import OrderStatus
from insight.demo.clock import DAY, HOUR, durations
from insight.demo.ids import IdSequence

# Valence (−4…+4) cut points between 1|2, 2|3, 3|4 and 4|5 stars.
VALENCE_EDGES = np.array([-1.75, -0.5, 0.5, 1.75])
MIN_SENTENCE_CHARS = 20
REVIEW_CHANCE_DEPARTMENT_LINE = 0.35
REVIEW_CHANCE_ADD_ON = 0.15
REVIEW_CHANCE_RETURNED = 0.6
SECOND_SENTENCE_CHANCE = 0.4
UNRATED_STARS = 4.2
STAR_NOISE = 0.9


def _tidy(sentence: str) -> str:
    """The ground truth is lower-cased; restore the capitals a reader expects."""
    sentence = re.sub(r"\bi\b", "I", sentence)
    return sentence[:1].upper() + sentence[1:]


@dataclass(frozen=True)
class ReviewTexts:
    """Sentences grouped by the star rating their valence maps to."""

    sentences: np.ndarray  # object array, grouped by rating 1…5
    offsets: np.ndarray  # (6,) start of each rating's group; index 0 unused
    sizes: np.ndarray  # (6,)

    @classmethod
    def from_sentences(cls, frame: pd.DataFrame) -> ReviewTexts:
        """``frame`` is :func:`insight.datasets.load_vader_sentences` (amazonReviewSnippets)."""
        usable = frame[frame["text"].str.len() >= MIN_SENTENCE_CHARS]
        rating = 1 + np.searchsorted(VALENCE_EDGES, usable["valence"].to_numpy(), side="right")
        order = np.argsort(rating, kind="stable")
        text = usable["text"].to_numpy(dtype=object)[order]
        sizes = np.bincount(rating, minlength=6)
        return cls(
            sentences=np.array([_tidy(t) for t in text], dtype=object),
            offsets=np.concatenate([[0], np.cumsum(sizes)[:-1]]),
            sizes=sizes,
        )

    def write(self, ratings: np.ndarray, rng: np.random.Generator) -> list[str]:
        count = len(ratings)
        first = self.offsets[ratings] + (rng.random(count) * self.sizes[ratings]).astype(np.int64)
        second = self.offsets[ratings] + (rng.random(count) * self.sizes[ratings]).astype(np.int64)
        two = (rng.random(count) < SECOND_SENTENCE_CHANCE) & (first != second)
        return [
            f"{self.sentences[a]} {self.sentences[b]}" if both else str(self.sentences[a])
            for a, b, both in zip(first, second, two, strict=True)
        ]


def build_reviews(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    returned_line_ids: np.ndarray,
    products: pd.DataFrame,
    texts: ReviewTexts,
    ids: IdSequence,
    rng: np.random.Generator,
    now: np.datetime64,
) -> pd.DataFrame:
    """Reviews of delivered products, at most one per (customer, product)."""
    order_pos = lines["order_pos"].to_numpy()
    received = (
        orders["status"]
        .isin([OrderStatus.DELIVERED.value, OrderStatus.RETURNED.value])
        .to_numpy()[order_pos]
    )
    returned = np.isin(lines["id"].to_numpy(), returned_line_ids)
    department_line = lines["position"].to_numpy() == 0
    chance = np.where(
        returned,
        REVIEW_CHANCE_RETURNED,
        np.where(department_line, REVIEW_CHANCE_DEPARTMENT_LINE, REVIEW_CHANCE_ADD_ON),
    )
    written = orders["delivered_at"].to_numpy()[order_pos] + durations(
        2 * HOUR, 21 * DAY, len(lines), rng
    )
    stars = np.nan_to_num(
        products["stars"].to_numpy()[lines["product"].to_numpy()], nan=UNRATED_STARS
    )
    from_stars = np.clip(np.rint(stars + rng.normal(0.0, STAR_NOISE, len(lines))), 1, 5)
    rating = np.where(
        returned,
        rng.integers(1, 3, len(lines)),
        np.where(department_line, orders["rating"].to_numpy()[order_pos], from_stars),
    ).astype(np.int64)
    keep = received & (rng.random(len(lines)) < chance) & (written <= now)
    reviews = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].to_numpy()[order_pos][keep],
            "product_id": lines["product_id"].to_numpy()[keep],
            "rating": rating[keep],
            "created_at": written[keep].astype("datetime64[us]"),
        }
    )
    reviews = (
        reviews.sort_values(["customer_id", "created_at"], kind="stable")
        .drop_duplicates(["customer_id", "product_id"])
        .reset_index(drop=True)
    )
    reviews.insert(0, "id", ids.take("reviews", len(reviews)))
    reviews["text"] = texts.write(reviews["rating"].to_numpy(), rng)
    return reviews
