"""What every churn/value model returns (ShopSense's, the BG/NBD baseline, the fallback rule)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChurnValuePrediction:
    """Per-customer predictions over the model's horizon, aligned with the input rows."""

    expected_purchases: FloatArray
    churn_probability: FloatArray
    expected_spend: FloatArray
