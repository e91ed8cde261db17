"""Review topics: NMF over TF-IDF (scikit-learn), labelled by each topic's top words."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

FloatArray = npt.NDArray[np.float64]


class TopicModel(BaseEstimator):  # type: ignore[misc]
    """``fit`` on review texts; ``transform`` gives each text's topic mix (rows sum to 1, or
    are all zero for a text with no known word). ``labels_`` name topics by their top words."""

    def __init__(
        self,
        n_topics: int = 8,
        max_features: int = 5000,
        top_words: int = 3,
        max_fit_docs: int = 20_000,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.max_features = max_features
        self.top_words = top_words
        self.max_fit_docs = max_fit_docs
        self.random_state = random_state

    def fit(self, texts: Sequence[str]) -> TopicModel:
        """Fits on at most ``max_fit_docs`` texts (a seeded sample of larger corpora)."""
        docs = np.asarray(list(texts), dtype=object)
        if len(docs) > self.max_fit_docs:
            rng = np.random.default_rng(self.random_state)
            docs = docs[np.sort(rng.choice(len(docs), self.max_fit_docs, replace=False))]
        self.vectorizer_ = TfidfVectorizer(
            max_features=self.max_features,
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
            sublinear_tf=True,
        )
        matrix = self.vectorizer_.fit_transform(docs)
        n_topics = max(1, min(self.n_topics, matrix.shape[0], matrix.shape[1]))
        self.nmf_ = NMF(
            n_components=n_topics, init="nndsvda", random_state=self.random_state, max_iter=400
        )
        self.nmf_.fit(matrix)
        words = self.vectorizer_.get_feature_names_out()
        order = np.argsort(-self.nmf_.components_, axis=1, kind="stable")[:, : self.top_words]
        self.labels_ = [" · ".join(words[row]) for row in order]
        return self

    def transform(self, texts: Sequence[str]) -> FloatArray:
        weights = np.asarray(
            self.nmf_.transform(self.vectorizer_.transform(list(texts))), dtype=np.float64
        )
        totals = weights.sum(axis=1, keepdims=True)
        mix: FloatArray = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
        return mix
