"""The published baseline: BG/NBD for repeat purchases and Gamma-Gamma for spend (``lifetimes``).

``lifetimes`` 0.11.3 predates pandas 3 and numpy 2. Its fitters work when they are given plain
numpy arrays (the frame-handling helpers and ``lifetimes.datasets``, which needs the removed
``pkg_resources``, are not used), so this wrapper is the whole compatibility layer: it passes
arrays in, gets arrays out, and works in weeks as the literature does.

The same fitted pair is ShopSense's anchor (:mod:`insight.clv.model`): ``describe`` gives the
per-customer quantities the boosting models start from.
"""

from __future__ import annotations

import contextlib
import io
import logging

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from scipy.special import hyp2f1
from sklearn.base import BaseEstimator

from insight.clv.prediction import ChurnValuePrediction

log = logging.getLogger(__name__)
_DAYS_PER_WEEK = 7.0
ANCHOR_COLUMNS = ("bg_expected", "bg_alive", "bg_spend_per_purchase")
ANCHOR_PENALIZERS = (0.0, 0.001, 0.01, 0.1)


class BgNbdFitError(ValueError):
    """The pair cannot be fitted on this population, or its predictions are not finite."""


def _bgnbd_inputs(x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frequency = x["frequency"].to_numpy(dtype=np.float64)
    recency = x["recency_days"].to_numpy(dtype=np.float64) / _DAYS_PER_WEEK
    tenure = x["tenure_days"].to_numpy(dtype=np.float64) / _DAYS_PER_WEEK
    return frequency, recency, tenure


def repeat_spend_mean(x: pd.DataFrame) -> np.ndarray:
    """Mean value of the repeat purchases (the first is excluded, as Gamma-Gamma expects)."""
    frequency = x["frequency"].to_numpy(dtype=np.float64)
    repeat_total = (x["monetary_total"] - x["first_value"]).to_numpy(dtype=np.float64)
    mean: np.ndarray = np.divide(
        repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0
    )
    return mean


def expected_purchases(
    bgf: BetaGeoFitter, weeks: float, frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray
) -> np.ndarray:
    """BG/NBD's conditional expectation (Fader, Hardie & Lee 2005, eq. 10).

    ``lifetimes`` evaluates it through the log of the hypergeometric term, which is negative,
    so NaN, for one-time buyers when ``a + b < 1``; those rows are evaluated directly.
    """
    with np.errstate(invalid="ignore"):  # the NaN rows are handled below
        expected = np.asarray(
            bgf.conditional_expected_number_of_purchases_up_to_time(
                weeks, frequency, recency, tenure
            ),
            dtype=np.float64,
        )
    broken = ~np.isfinite(expected)
    if broken.any():
        r, alpha, a, b = (float(bgf.params_[name]) for name in ("r", "alpha", "a", "b"))
        x, t_x, age = frequency[broken], recency[broken], tenure[broken]
        shrink = ((alpha + age) / (alpha + age + weeks)) ** (r + x)
        term = hyp2f1(r + x, b + x, a + b + x - 1, weeks / (alpha + age + weeks))
        numerator = (a + b + x - 1) / (a - 1) * (1 - term * shrink)
        odds_dead = (x > 0) * (a / (b + x - 1)) * ((alpha + age) / (alpha + t_x)) ** (r + x)
        expected[broken] = numerator / (1 + odds_dead)
    return expected


class BgNbdBaseline(BaseEstimator):  # type: ignore[misc]
    """BG/NBD + Gamma-Gamma fitted on the calibration period's features at the cutoff."""

    def __init__(self, horizon_days: int, penalizer_coef: float = 0.0) -> None:
        self.horizon_days = horizon_days
        self.penalizer_coef = penalizer_coef

    def fit(self, x: pd.DataFrame) -> BgNbdBaseline:
        """Raises ``BgNbdFitError`` where ``lifetimes`` cannot fit (too few or too uniform
        customers, nobody with a paid repeat purchase)."""
        frequency, recency, tenure = _bgnbd_inputs(x)
        spend = repeat_spend_mean(x)
        repeaters = (frequency > 0) & (spend > 0)  # Gamma-Gamma rejects zero-value purchases
        if not repeaters.any():
            raise BgNbdFitError("no customer with a paid repeat purchase")
        printed = io.StringIO()  # lifetimes prints the optimiser's state when it fails
        try:
            with contextlib.redirect_stdout(printed):
                bgf = BetaGeoFitter(penalizer_coef=self.penalizer_coef)
                bgf.fit(frequency, recency, tenure)
                ggf = GammaGammaFitter(penalizer_coef=self.penalizer_coef)
                ggf.fit(frequency[repeaters], spend[repeaters])
        except (np.linalg.LinAlgError, ValueError) as error:  # singular Hessian, failed optimum
            log.debug("BG/NBD fit failed: %s %s", error, printed.getvalue())
            raise BgNbdFitError(str(error).strip()) from error
        # Only the parameters are kept: the fitters hold their training data and do not pickle.
        self.bgf_params_: pd.Series = bgf.params_
        self.ggf_params_: pd.Series = ggf.params_
        self.gamma_gamma_mean_ = float(ggf.params_["q"]) > 2
        return self

    def _fitters(self) -> tuple[BetaGeoFitter, GammaGammaFitter]:
        bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
        bgf.params_, ggf.params_ = self.bgf_params_, self.ggf_params_
        return bgf, ggf

    def describe(self, x: pd.DataFrame) -> pd.DataFrame:
        """Per customer (``x``'s index): expected purchase days over the horizon, probability
        alive, expected spend per purchase. Raises ``BgNbdFitError`` on non-finite values.

        Gamma-Gamma's population mean spend ``p·v/(q-1)`` diverges as ``q`` nears 1 and has
        no variance for ``q <= 2``; such a fit (seen on small and synthetic shops, never on
        CDNOW, where q is about 3) leaves each customer's own mean purchase value instead.
        """
        frequency, recency, tenure = _bgnbd_inputs(x)
        weeks = self.horizon_days / _DAYS_PER_WEEK
        bgf, ggf = self._fitters()
        spend = (
            ggf.conditional_expected_average_profit(frequency, repeat_spend_mean(x))
            if self.gamma_gamma_mean_
            else x["monetary_mean"]
        )
        columns = dict(
            zip(
                ANCHOR_COLUMNS,
                (
                    expected_purchases(bgf, weeks, frequency, recency, tenure),
                    bgf.conditional_probability_alive(frequency, recency, tenure),
                    spend,
                ),
                strict=True,
            )
        )
        frame = pd.DataFrame(
            {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()},
            index=x.index,
        )
        if not np.isfinite(frame.to_numpy()).all():
            raise BgNbdFitError("BG/NBD or Gamma-Gamma gave non-finite predictions")
        return frame

    def predict(self, x: pd.DataFrame) -> ChurnValuePrediction:
        """Churn is scored as the chance of no purchase implied by the expected count.

        BG/NBD's own "probability alive" is 1 for every one-time buyer, which makes it a weak
        ranking of who buys again; ``exp(-E[purchases])`` ranks by the expected count instead,
        the stronger of the two (checked on CDNOW), so the baseline is given its best showing.
        """
        anchor = self.describe(x)
        expected = anchor["bg_expected"].to_numpy()
        return ChurnValuePrediction(
            expected_purchases=expected,
            churn_probability=np.exp(-expected),
            expected_spend=expected * anchor["bg_spend_per_purchase"].to_numpy(),
        )


def fit_anchor(x: pd.DataFrame, horizon_days: int) -> BgNbdBaseline:
    """The pair with the smallest penalizer in ``ANCHOR_PENALIZERS`` that fits ``x`` and gives
    finite predictions for it (CDNOW needs none; small or regular shops need a little)."""
    for penalizer in ANCHOR_PENALIZERS:
        try:
            anchor = BgNbdBaseline(horizon_days=horizon_days, penalizer_coef=penalizer).fit(x)
            anchor.describe(x)
        except BgNbdFitError:
            continue
        return anchor
    raise BgNbdFitError(f"BG/NBD failed with every penalizer in {ANCHOR_PENALIZERS}")
