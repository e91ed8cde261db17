"""Churn/value features on a hand-computable transaction log, and the two models' contracts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from insight.clv.bgnbd import BgNbdBaseline, repeat_spend_mean
from insight.clv.features import features_at, holdout_targets, purchase_days, training_set
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


def test_training_set_stacks_one_row_per_customer_and_cutoff() -> None:
    days = purchase_days(LOG)
    x, y = training_set(days, [START + pd.Timedelta(days=20), CUTOFF], 11)
    assert len(x) == 1 + 2 and len(y) == 3
    assert y["purchases"].tolist() == [1.0, 1.0, 0.0]  # day 30; day 45; customer 2 nothing
    _, shorter = training_set(days, [START + pd.Timedelta(days=20)], 10)
    assert shorter["purchases"].tolist() == [0.0]  # the window [20, 30) ends before day 30


def test_gamma_gamma_sees_the_mean_of_repeat_purchases_only() -> None:
    x = features_at(purchase_days(LOG), CUTOFF)
    assert repeat_spend_mean(x).tolist() == [25.0, 0.0]  # (20 + 30) / 2; no repeat


@pytest.fixture(scope="module")
def synthetic_split() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    days = purchase_days(transactions(synthetic_shop(3000, seed=3).orders))
    cutoff = SYNTHETIC_NOW - pd.Timedelta(days=90)
    train_x, train_y = training_set(days, [cutoff - pd.Timedelta(days=90)], 90)
    x = features_at(days, cutoff)
    return train_x, train_y, x, holdout_targets(days, x.index, cutoff, 90)


def test_shopsense_model_and_baseline_predict_per_customer(
    synthetic_split: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    train_x, train_y, x, actual = synthetic_split
    with threadpool_limits(limits=1):  # OpenMP threads contend on a small shared machine
        ours = ChurnValueModel(max_iter=50).fit(
            train_x, train_y["purchases"].to_numpy(), train_y["spend"].to_numpy()
        )
        theirs = BgNbdBaseline(horizon_days=90).fit(x)
        predictions = (ours.predict(x), theirs.predict(x))
    for prediction in predictions:
        assert prediction.expected_purchases.shape == (len(x),)
        assert np.all(prediction.expected_purchases >= 0)
        assert np.all((prediction.churn_probability >= 0) & (prediction.churn_probability <= 1))
        assert np.all(prediction.expected_spend >= 0)
    churned = actual["purchases"].to_numpy() == 0
    risk = predictions[0].churn_probability
    assert risk[churned].mean() > risk[~churned].mean()


def test_training_needs_both_outcomes() -> None:
    x = features_at(purchase_days(LOG), CUTOFF)
    with pytest.raises(ValueError, match="bought again"):
        ChurnValueModel().fit(x, np.array([1.0, 2.0]), np.array([5.0, 5.0]))
