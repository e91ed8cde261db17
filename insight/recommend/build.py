"""The recommender artefact: trained from the shop database, cached by a hash of its inputs.

The artefact lives in ``<cache_dir>/artefacts/recommend-<hash>/`` (``model.npz`` and
``meta.json``). The hash covers every row the model learns from (products, purchases, browsing,
returns, segments, product sentiment; stock is read live, so it is not an input), the source of
the modules that shape the artefact, the encoder's name and the training configuration; when it
matches an existing artefact the build is skipped. The folder is written under a temporary name
and renamed when complete.

A real shop's data changes with every order, so the assistant cannot look its artefact up by
the current data's hash: each build also records, per database, which artefact is the latest
(``recommend-latest-<hash of the database URL>.json``), and the assistant serves that one until
the next build.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from insight import embeddings
from insight.artefacts import write_atomically
from insight.db.engine import make_engine
from insight.embeddings import Encoder, default_encoder
from insight.recommend import interactions, model
from insight.recommend.interactions import ShopInteractions, load_interactions
from insight.recommend.model import (
    Catalogue,
    CategoryTransitions,
    CollaborativeFilter,
    ContentNeighbours,
    RecommendConfig,
    RecommenderModel,
    SegmentPopularity,
    train,
)
from insight.settings import Settings

ARTEFACTS_FOLDER = "artefacts"
_META_FILE = "meta.json"
_ARRAYS_FILE = "model.npz"
_BUILDER_MODULES = (interactions, model, embeddings)


class NoInteractionsError(ValueError):
    """The shop has no purchases or browsing to learn from yet."""


@dataclass(frozen=True)
class RecommendBuild:
    """What ``ensure_recommend_artefact`` found or made; ``built`` is False when cached."""

    path: Path
    fingerprint: str
    built: bool
    seconds: float
    products: int
    customers: int
    purchases: int
    browsing_events: int
    segments: int


def product_texts(products: pd.DataFrame) -> list[str]:
    """What is embedded per product: name, brand and category, then the description."""
    return [
        f"{name} ({brand}, {category}). {description}"
        for name, brand, category, description in zip(
            products["name"],
            products["brand"],
            products["category"],
            products["description"],
            strict=True,
        )
    ]


def recommend_fingerprint(
    shop: ShopInteractions, encoder_name: str, config: RecommendConfig
) -> str:
    sources = [Path(str(module.__file__)) for module in _BUILDER_MODULES] + [Path(__file__)]
    code = b"".join(source.read_bytes() for source in sources)
    inputs = [shop.fingerprint().encode(), code, encoder_name.encode(), repr(config).encode()]
    return hashlib.sha256(b"\0".join(inputs)).hexdigest()[:16]


def artefact_path(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / ARTEFACTS_FOLDER / f"recommend-{fingerprint}"


def latest_pointer(cache_dir: Path, database_url: str) -> Path:
    """Where the latest build from ``database_url`` is recorded (the URL's hash names it)."""
    url = make_url(database_url).render_as_string(hide_password=False)
    database = hashlib.sha256(url.encode()).hexdigest()[:12]
    return cache_dir / ARTEFACTS_FOLDER / f"recommend-latest-{database}.json"


def latest_artefact(cache_dir: Path, database_url: str) -> Path | None:
    """The artefact last built from ``database_url``, or ``None`` when there is none."""
    pointer = latest_pointer(cache_dir, database_url)
    if not pointer.exists():
        return None
    path = artefact_path(cache_dir, json.loads(pointer.read_text())["fingerprint"])
    return path if (path / _META_FILE).exists() else None


def ensure_recommend_artefact(
    engine: Engine,
    cache_dir: Path,
    encoder: Encoder,
    config: RecommendConfig,
    force: bool = False,
) -> RecommendBuild:
    """Build the artefact for the shop's current data unless it exists (or ``force``), and make
    it the latest for this database."""
    shop = load_interactions(engine)
    if shop.events.empty:
        raise NoInteractionsError("the shop has no purchases or browsing events to learn from")
    fingerprint = recommend_fingerprint(shop, encoder.name, config)
    path = artefact_path(cache_dir, fingerprint)
    started = time.perf_counter()
    built = force or not (path / _META_FILE).exists()
    if built:

        def write(folder: Path) -> None:
            vectors = encoder.encode(product_texts(shop.products))
            save_model(train(shop, vectors, config), folder, _meta(shop, fingerprint, encoder))

        write_atomically(path, write, complete=_META_FILE, force=force)
    pointer = latest_pointer(cache_dir, engine.url.render_as_string(hide_password=False))
    staged_pointer = pointer.with_name(f"{pointer.name}.tmp-{os.getpid()}")
    staged_pointer.write_text(json.dumps({"fingerprint": fingerprint}) + "\n")
    os.replace(staged_pointer, pointer)
    meta = json.loads((path / _META_FILE).read_text())
    return RecommendBuild(
        path=path,
        fingerprint=fingerprint,
        built=built,
        seconds=time.perf_counter() - started,
        **meta["counts"],
    )


def build_from_settings(settings: Settings, force: bool = False) -> RecommendBuild:
    """``python -m insight build recommend``: the shop of ``DATABASE_URL``, MiniLM embeddings."""
    engine = make_engine(settings.database_url)
    try:
        return ensure_recommend_artefact(
            engine, settings.cache_dir, default_encoder(), RecommendConfig(), force
        )
    finally:
        engine.dispose()


def _meta(shop: ShopInteractions, fingerprint: str, encoder: Encoder) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "encoder": encoder.name,
        "counts": {
            "products": len(shop.products),
            "customers": int(shop.events["customer_id"].nunique()),
            "purchases": len(shop.purchases),
            "browsing_events": len(shop.events) - len(shop.purchases),
            "segments": int(shop.segments["segment"].nunique()),
        },
    }


def save_model(fitted: RecommenderModel, folder: Path, meta: dict[str, Any]) -> None:
    catalogue = fitted.catalogue
    np.savez(
        folder / _ARRAYS_FILE,
        product_ids=catalogue.product_ids,
        categories=catalogue.categories,
        brands=catalogue.brands,
        prices=catalogue.prices,
        price_positions=catalogue.price_positions,
        sentiment=catalogue.sentiment,
        item_factors=fitted.collaborative.item_factors_,
        neighbours=fitted.content.neighbours_,
        similarities=fitted.content.similarities_,
        popularity=fitted.popularity.overall_,
        popularity_by_segment=fitted.popularity.by_segment_,
        transitions=fitted.transitions.transitions_,
    )
    meta = meta | {
        "names": list(catalogue.names),
        "category_names": list(catalogue.category_names),
        "brand_names": list(catalogue.brand_names),
        "segment_names": list(fitted.segment_names),
        "trained_until": fitted.trained_until.isoformat(),
        "collaborative": fitted.collaborative.get_params(),
        "content": fitted.content.get_params(),
        "popularity": fitted.popularity.get_params(),
        "transitions": fitted.transitions.get_params(),
    }
    (folder / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False) + "\n")


def load_model(folder: Path) -> RecommenderModel:
    meta = json.loads((folder / _META_FILE).read_text())
    with np.load(folder / _ARRAYS_FILE) as arrays:
        catalogue = Catalogue(
            product_ids=arrays["product_ids"],
            names=tuple(meta["names"]),
            categories=arrays["categories"],
            category_names=tuple(meta["category_names"]),
            brands=arrays["brands"],
            brand_names=tuple(meta["brand_names"]),
            prices=arrays["prices"],
            price_positions=arrays["price_positions"],
            sentiment=arrays["sentiment"],
        )
        popularity = SegmentPopularity(**meta["popularity"])
        popularity.overall_ = arrays["popularity"]
        popularity.by_segment_ = arrays["popularity_by_segment"]
        transitions = CategoryTransitions(**meta["transitions"])
        transitions.transitions_ = arrays["transitions"]
        collaborative = CollaborativeFilter(**meta["collaborative"]).with_item_factors(
            arrays["item_factors"]
        )
        content = ContentNeighbours(**meta["content"]).with_table(
            arrays["neighbours"], arrays["similarities"]
        )
    return RecommenderModel(
        catalogue=catalogue,
        popularity=popularity,
        transitions=transitions,
        collaborative=collaborative,
        content=content,
        segment_names=tuple(meta["segment_names"]),
        trained_until=pd.Timestamp(meta["trained_until"]),
    )
