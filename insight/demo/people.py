"""Names, addresses and sign-up dates for the customers of the skeleton.

The packaged data gives each customer an age and a gender only; names are drawn from
gender-matched first-name lists, countries from :data:`~insight.demo.vocab.COUNTRIES` and a city
within the country. Each customer signed up between one day and eighteen months before their
first order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.demo.vocab import (
    CITIES,
    COUNTRIES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    STREET_NAMES,
    STREET_SUFFIXES,
)

MAX_SIGNUP_LEAD_DAYS = 540


def _pick(options: tuple[str, ...], count: int, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), count)]


def _first_names(gender: pd.Series, rng: np.random.Generator) -> np.ndarray:
    count = len(gender)
    female = _pick(FEMALE_FIRST_NAMES, count, rng)
    male = _pick(MALE_FIRST_NAMES, count, rng)
    unknown = np.where(rng.random(count) < 0.5, female, male)
    genders = gender.to_numpy(dtype=object)
    return np.where(genders == "Female", female, np.where(genders == "Male", male, unknown))


def _fill_digits(template: str, digits: np.ndarray) -> str:
    spare = iter(digits)
    return "".join(str(next(spare)) if char == "#" else char for char in template)


def _places(count: int, rng: np.random.Generator) -> pd.DataFrame:
    codes = [code for code, _ in COUNTRIES]
    shares = np.array([share for _, share in COUNTRIES])
    country = rng.choice(len(codes), size=count, p=shares / shares.sum())
    flat = [(code, city, template) for code in codes for city, template in CITIES[code]]
    sizes = np.array([len(CITIES[code]) for code in codes])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    chosen = offsets[country] + (rng.random(count) * sizes[country]).astype(np.int64)
    digits = rng.integers(0, 10, (count, 6))
    street_numbers = rng.integers(1, 2000, count)
    streets = _pick(STREET_NAMES, count, rng)
    suffixes = _pick(STREET_SUFFIXES, count, rng)
    return pd.DataFrame(
        {
            "country": [flat[i][0] for i in chosen],
            "city": [flat[i][1] for i in chosen],
            "postcode": [
                _fill_digits(flat[i][2], row) for i, row in zip(chosen, digits, strict=True)
            ],
            "street": [
                f"{n} {s} {x}" for n, s, x in zip(street_numbers, streets, suffixes, strict=True)
            ],
        }
    )


def build_people(
    customers: pd.DataFrame, first_order_at: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """``customers`` rows of the skeleton, completed for the ``customers`` table.

    Adds name, email (``first.last.ID@example.com``), country, city, created_at, and the
    street and postcode that orders ship to (not columns of ``customers``).
    """
    count = len(customers)
    first = _first_names(customers["gender"], rng)
    last = _pick(LAST_NAMES, count, rng)
    lead = rng.integers(86_400, MAX_SIGNUP_LEAD_DAYS * 86_400, count)
    people = customers.reset_index(drop=True).assign(
        name=[f"{f} {s}" for f, s in zip(first, last, strict=True)],
        email=[
            f"{f.lower()}.{s.lower()}.{i}@example.com"
            for f, s, i in zip(first, last, customers["id"], strict=True)
        ],
        created_at=(first_order_at - lead.astype("timedelta64[s]")).astype("datetime64[us]"),
    )
    return pd.concat([people, _places(count, rng)], axis=1)
