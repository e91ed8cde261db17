"""Churn/value features on a hand-computable transaction log, and the two models' contracts."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter
from scipy.special import betaln
from scipy.stats import nbinom
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.clv.bgnbd import (
    BgNbdBaseline,
    BgNbdFitError,
    expected_purchases,
    fit_anchor,
    repeat_spend_mean,
)
from insight.clv.cdnow import CdnowComparison, compare_split
from insight.clv.features import (
    Window,
    features_at,
    holdout_targets,
    purchase_days,
    training_windows,
    window_plan,
)
from insight.clv.model import ChurnValueModel
from insight.profiles.synthetic import SYNTHETIC_NOW, synthetic_shop
from insight.profiles.value import transactions

START = pd.Timestamp("2026-01-01")


def _log(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [c for c, _, _ in rows],
            "at": [START + pd.Timedelta(days=d, hours=9) for _, d, _ in rows],
            "amount": [a for _, _, a in rows],
        }
    )


LOG = _log([(1, 0, 10.0), (1, 0, 5.0), (1, 10, 20.0), (1, 30, 30.0), (2, 35, 50.0), (1, 45, 7.0)])
CUTOFF = START + pd.Timedelta(days=40)


def test_same_day_transactions_are_one_purchase() -> None:
    days = purchase_days(LOG)
    assert days[days["customer_id"] == 1]["amount"].tolist() == [15.0, 20.0, 30.0, 7.0]


def test_features_at_a_cutoff_by_hand() -> None:
    x = features_at(purchase_days(LOG), CUTOFF)
    ada = x.loc[1].to_dict()
    assert ada["purchases"] == 3 and ada["frequency"] == 2
    assert ada["tenure_days"] == 40 and ada["recency_days"] == 30 and ada["days_since_last"] == 10
    assert ada["monetary_total"] == 65 and ada["monetary_mean"] == pytest.approx(65 / 3)
    assert ada["first_value"] == 15 and ada["last_value"] == 30
    assert ada["ipt_mean"] == 15 and ada["ipt_std"] == 5  # gaps 10 and 20
    assert ada["overdue_ratio"] == pytest.approx(10 / 15)
    assert ada["rate_per_30d"] == pytest.approx(3 / 40 * 30)
    assert (ada["purchases_last_30d"], ada["purchases_last_90d"]) == (2, 3)  # ages 40, 30, 10
    assert ada["spend_last_90d"] == 65
    single = x.loc[2].to_dict()
    assert single["frequency"] == 0 and single["tenure_days"] == 5
    assert math.isnan(single["ipt_mean"]) and math.isnan(single["ipt_std"])


def test_holdout_targets_count_the_window_only() -> None:
    days = purchase_days(LOG)
    targets = holdout_targets(days, pd.Index([1, 2]), CUTOFF, 10).to_dict("index")
    assert targets[1] == {"purchases": 1.0, "spend": 7.0}
    assert targets[2] == {"purchases": 0.0, "spend": 0.0}
    shorter = holdout_targets(days, pd.Index([1]), CUTOFF, 5).to_dict("index")
    assert shorter[1] == {"purchases": 0.0, "spend": 0.0}


def test_window_plan_steps_back_monthly_with_the_horizon_capped_by_the_end() -> None:
    end = pd.Timestamp("2026-12-31")
    plan = window_plan(pd.Timestamp("2026-06-01"), end, 90, step_days=30, min_history_days=60)
    assert [(str(c.date()), h) for c, h in plan] == [
        ("2026-12-01", 30),
        ("2026-11-01", 60),
        ("2026-10-02", 90),
        ("2026-09-02", 90),
        ("2026-08-03", 90),  # 63 days after the first purchase; 2026-07-04 would be 33
    ]
    assert len(window_plan(pd.Timestamp("2026-06-01"), end, 90, max_windows=2)) == 2


def test_training_windows_label_each_cutoff_over_its_own_horizon() -> None:
    days = purchase_days(LOG)
    early, late = training_windows(days, [(START + pd.Timedelta(days=20), 11), (CUTOFF, 10)])
    assert early.features.index.tolist() == [1] and early.targets["purchases"].tolist() == [1.0]
    assert late.features.index.tolist() == [1, 2]
    assert late.targets["purchases"].tolist() == [1.0, 0.0]  # day 45; customer 2 nothing
    assert late.horizon_days == 10 and late.cutoff == CUTOFF


def test_gamma_gamma_sees_the_mean_of_repeat_purchases_only() -> None:
    x = features_at(purchase_days(LOG), CUTOFF)
    assert repeat_spend_mean(x).tolist() == [25.0, 0.0]  # (20 + 30) / 2; no repeat


def test_the_bgnbd_expectation_is_evaluated_directly_where_lifetimes_gives_nan() -> None:
    """With a + b < 1, ``lifetimes`` takes the log of a negative term for one-time buyers;
    the direct evaluation must agree with the exact series Σ P(N ≥ n) (Poisson-Gamma tail
    times the chance of surviving n - 1 purchases), derived independently here."""
    r, alpha, a, b = 0.4, 6.0, 0.25, 0.4
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series([r, alpha, a, b], index=["r", "alpha", "a", "b"])
    frequency, recency, tenure = (
        np.array([0.0, 0.0, 3.0]),
        np.array([0.0, 0.0, 5.0]),
        np.array([2.0, 20.0, 8.0]),
    )
    weeks = 26.0
    with np.errstate(invalid="ignore"):
        closed_form = bgf.conditional_expected_number_of_purchases_up_to_time(
            weeks, frequency, recency, tenure
        )
    assert np.isnan(closed_form[0]) and np.isfinite(closed_form[1:]).all()
    expected = expected_purchases(bgf, weeks, frequency, recency, tenure)
    n = np.arange(1, 400)[None, :]
    tail = nbinom.sf(
        n - 1, (r + frequency)[:, None], ((alpha + tenure) / (alpha + tenure + weeks))[:, None]
    )
    survive = np.exp(betaln(a, b + frequency[:, None] + n - 1) - betaln(a, b + frequency[:, None]))
    alive = bgf.conditional_probability_alive(frequency, recency, tenure)
    np.testing.assert_allclose(expected, alive * (tail * survive).sum(axis=1), rtol=1e-6)


@dataclass(frozen=True)
class Split:
    windows: list[Window]
    x: pd.DataFrame
    actual: pd.DataFrame


@pytest.fixture(scope="module")
def synthetic_split() -> Split:
    days = purchase_days(transactions(synthetic_shop(3000, seed=3).orders))
    cutoff = SYNTHETIC_NOW - pd.Timedelta(days=90)
    history = days[days["day"] < cutoff]
    plan = window_plan(history["day"].min(), cutoff, 90, max_windows=3)
    x = features_at(history, cutoff)
    return Split(training_windows(history, plan), x, holdout_targets(days, x.index, cutoff, 90))


def test_gamma_gamma_without_a_stable_mean_leaves_the_customers_own_spend(
    synthetic_split: Split,
) -> None:
    anchor = fit_anchor(synthetic_split.x, 90)
    assert float(anchor.ggf_params_["q"]) < 2 and not anchor.gamma_gamma_mean_
    described = anchor.describe(synthetic_split.x)
    np.testing.assert_allclose(
        described["bg_spend_per_purchase"], synthetic_split.x["monetary_mean"]
    )


def test_shopsense_model_and_baseline_predict_per_customer(synthetic_split: Split) -> None:
    x, actual = synthetic_split.x, synthetic_split.actual
    with threadpool_limits(limits=1):  # OpenMP threads contend on a small shared machine
        ours = ChurnValueModel(horizon_days=90, max_iter=50).fit(synthetic_split.windows, x)
        theirs = BgNbdBaseline(horizon_days=90).fit(x)
        predictions = (ours.predict(x), theirs.predict(x))
        alone = ours.predict(x.iloc[[7]])
    assert ours.windows_used_ == 3
    restored = pickle.loads(pickle.dumps(ours))  # profile builds store the model pickled
    np.testing.assert_array_equal(restored.predict(x).expected_spend, predictions[0].expected_spend)
    for prediction in predictions:
        assert prediction.expected_purchases.shape == (len(x),)
        assert np.all(prediction.expected_purchases >= 0)
        assert np.all((prediction.churn_probability >= 0) & (prediction.churn_probability <= 1))
        assert np.all(prediction.expected_spend >= 0)
    churned = actual["purchases"].to_numpy() == 0
    risk = predictions[0].churn_probability
    assert risk[churned].mean() > risk[~churned].mean()
    total = predictions[0].expected_purchases.sum() / actual["purchases"].sum()
    assert 0.5 < total < 2.0  # the anchor keeps the horizon's scale
    assert alone.expected_purchases[0] == pytest.approx(predictions[0].expected_purchases[7])
    assert alone.expected_spend[0] == pytest.approx(predictions[0].expected_spend[7])


def test_training_needs_both_outcomes(synthetic_split: Split) -> None:
    window = synthetic_split.windows[0]
    everyone_bought = Window(
        window.cutoff,
        window.horizon_days,
        window.features,
        window.targets.assign(purchases=1.0),
    )
    with pytest.raises(ValueError, match="bought again"):
        ChurnValueModel(horizon_days=90).fit([everyone_bought], synthetic_split.x)


def test_a_population_bgnbd_cannot_fit_raises_a_named_error() -> None:
    x = features_at(purchase_days(LOG), CUTOFF)
    with pytest.raises(BgNbdFitError):
        fit_anchor(x.iloc[[1]], 30)  # one one-time buyer: no repeat purchase to fit on


def test_the_comparison_reports_the_keys_dashboards_read() -> None:
    days = purchase_days(transactions(synthetic_shop(3000, seed=3).orders))
    with threadpool_limits(limits=1):
        split = compare_split(days, SYNTHETIC_NOW - pd.Timedelta(days=90), 90)
    report = CdnowComparison(**vars(split), inner=(split,)).as_dict()
    for model in ("shopsense", "bgnbd"):
        scores = report[model]
        assert isinstance(scores, dict)
        assert {"mae_repeat_purchases", "churn_auc", "clv_mae"} <= set(scores)
    assert report["training_windows"] == split.training_windows > 0
    assert report["inner_splits"] == [split.as_dict()]
