#!/usr/bin/python3
"""The seed's pipeline in scikit-learn, as the reference for diamond's parity test.

Usage: sklearn_reference.py TRAIN_CSV TEST_CSV SPEC [SPEC ...]
  SPEC is "feature,feature,...:positive" or "...:plain".
Prints JSON: {SPEC: {"train": [prices], "test": [prices]}} with full float precision.

Both CSVs hold already-cleaned rows with the columns
carat,cut,color,clarity,depth,table,price,x,y,z (the C++ test writes them).
"""
import csv
import json
import sys

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

CUTS = ["Poor", "Fair", "Good", "Very Good", "Premium", "Ideal"]
COLORS = [chr(c) for c in range(ord("Z"), ord("D") - 1, -1)]  # Z=0 ... D=22
CLARITIES = ["I3", "I2", "I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF", "FL"]
INPUTS = ["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"]
FEATURES = INPUTS + ["volume", "eccentricity", "table_distance", "depth_distance"]
LOG_FEATURES = ["carat", "x", "y", "z", "volume"]


class Encode(BaseEstimator, TransformerMixin):
    """Ordinal codes for cut, color, clarity; the other inputs as floats."""

    def fit(self, X, y=None):
        self.encoder_ = OrdinalEncoder(categories=[CUTS, COLORS, CLARITIES]).fit(X[:, 1:4])
        return self

    def transform(self, X):
        out = np.empty(X.shape, dtype=float)
        out[:, [0, 4, 5, 6, 7, 8]] = X[:, [0, 4, 5, 6, 7, 8]].astype(float)
        out[:, 1:4] = self.encoder_.transform(X[:, 1:4])
        return out


class Derive(BaseEstimator, TransformerMixin):
    """volume, eccentricity, table/depth distance to the training means, then logs."""

    def fit(self, X, y=None):
        self.depth_mean_ = X[:, 4].mean()
        self.table_mean_ = X[:, 5].mean()
        return self

    def transform(self, X):
        x, y, z = X[:, 6], X[:, 7], X[:, 8]
        derived = np.column_stack([
            x * y * z,
            np.sqrt(1 - np.minimum(x, y) / np.maximum(x, y)),
            np.abs(X[:, 5] - self.table_mean_),
            np.abs(X[:, 4] - self.depth_mean_),
        ])
        out = np.hstack([X, derived])
        for name in LOG_FEATURES:
            i = FEATURES.index(name)
            out[:, i] = np.log(out[:, i])
        return out


class Select(BaseEstimator, TransformerMixin):
    def __init__(self, selector=("carat", "cut", "color", "clarity")):
        self.selector = selector

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X[:, [FEATURES.index(f) for f in self.selector]]


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[r[c] for c in INPUTS] for r in rows], dtype=object)
    y = np.array([float(r["price"]) for r in rows])
    return X, y


def main():
    train_path, test_path, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    X_train, y_train = load(train_path)
    X_test, _ = load(test_path)
    out = {}
    for spec in specs:
        features, mode = spec.split(":")
        model = Pipeline([
            ("encode", Encode()),
            ("derive", Derive()),
            ("scale", StandardScaler()),
            ("select", Select(tuple(features.split(",")))),
            ("linear", TransformedTargetRegressor(
                regressor=LinearRegression(), func=np.log, inverse_func=np.exp,
                check_inverse=False)),
        ])
        model.set_params(linear__regressor__positive=(mode == "positive"))
        model.fit(X_train, y_train)
        out[spec] = {
            "train": model.predict(X_train).tolist(),
            "test": model.predict(X_test).tolist(),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
