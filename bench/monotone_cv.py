#!/usr/bin/python3
"""What monotone trees cost in accuracy: repeated k-fold CV on the reference data.

Usage: bench/monotone_cv.py [DATA_CSV] [REPEATS] [FOLDS]

Fits each configuration on the same folds with Debian's python3-xgboost 1.7 (the library
the server links), on the server's own features (src/ml/features.cc: logs of carat, x, y,
z, volume and volume per carat; grades as codes; eccentricity; distances from the training
means) and its training recipe (src/ml/gbdt_training.cc: hist, squared error on log price,
base score = mean log price, early stopping on a seeded 10 % slice). Prints each
configuration's MAE (mean ± standard error over the folds) and its MAE divided by the
first configuration's, paired fold by fold. docs/models.md has the figures.
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.model_selection import KFold

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/diamonds.csv"
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
folds = int(sys.argv[3]) if len(sys.argv) > 3 else 5

CUT = ["Poor", "Fair", "Good", "Very Good", "Premium", "Ideal"]
COLOR = list("ZYXWVUTSRQPONMLKJIHGFED")
CLARITY = ["I3", "I2", "I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF", "FL"]


def features(d, table_mean, depth_mean):
    return pd.DataFrame({
        "carat": np.log(d.carat), "cut": d.cut.map(CUT.index), "color": d.color.map(COLOR.index),
        "clarity": d.clarity.map(CLARITY.index), "depth": d.depth, "table": d.table,
        "x": np.log(d.x), "y": np.log(d.y), "z": np.log(d.z), "volume": np.log(d.x * d.y * d.z),
        "eccentricity": np.sqrt(1 - np.minimum(d.x, d.y) / np.maximum(d.x, d.y)),
        "table_distance": (d.table - table_mean).abs(), "depth_distance": (d.depth - depth_mean).abs(),
        "volume_per_carat": np.log(d.x * d.y * d.z / d.carat)})


ALL13 = ["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z", "volume",
         "eccentricity", "table_distance", "depth_distance"]
SIZE_FREE = ["carat", "cut", "color", "clarity", "depth", "table", "eccentricity",
             "table_distance", "depth_distance", "volume_per_carat"]
INCREASING = {"carat", "cut", "color", "clarity", "x", "y", "z", "volume"}

# name: (features, monotone, max_depth, colsample_bytree)
CONFIGS = {
    "unconstrained, 13 features, depth 3, colsample 0.8 (the defaults before)": (ALL13, False, 3, 0.8),
    "monotone, size-free, depth 3, colsample 1 (the defaults now)": (SIZE_FREE, True, 3, 1.0),
    "monotone, size-free, depth 3, colsample 0.8": (SIZE_FREE, True, 3, 0.8),
    "monotone, size-free, depth 5, colsample 1": (SIZE_FREE, True, 5, 1.0),
    "monotone, 13 features (x, y, z, volume constrained), depth 3, colsample 1": (ALL13, True, 3, 1.0),
    "unconstrained, size-free, depth 3, colsample 1": (SIZE_FREE, False, 3, 1.0),
}


def fit_predict(train, test, cols, monotone, depth, colsample, seed=42):
    tm, dm = train.table.mean(), train.depth.mean()
    x_train, x_test = features(train, tm, dm)[cols].values, features(test, tm, dm)[cols].values
    y = np.log(train.price.values)
    order = np.random.RandomState(seed).permutation(len(train))
    stop, fit = order[:int(round(len(train) * 0.1))], order[int(round(len(train) * 0.1)):]
    params = dict(objective="reg:squarederror", tree_method="hist", max_depth=depth, eta=0.1,
                  subsample=0.8, colsample_bytree=colsample, min_child_weight=1, reg_lambda=1,
                  seed=seed, nthread=1, base_score=float(y[fit].mean()))
    if monotone:
        params["monotone_constraints"] = "(" + ",".join("1" if c in INCREASING else "0" for c in cols) + ")"
    booster = xgb.train(params, xgb.DMatrix(x_train[fit], label=y[fit]), 400,
                        evals=[(xgb.DMatrix(x_train[stop], label=y[stop]), "stop")],
                        early_stopping_rounds=50, verbose_eval=False)
    predicted = booster.predict(xgb.DMatrix(x_test), iteration_range=(0, booster.best_iteration + 1))
    return np.mean(np.abs(np.exp(predicted) - test.price.values))


def main():
    d = pd.read_csv(data)
    d = d[(d.price > 0) & (d.x >= 0.1) & (d.y >= 0.1) & (d.z >= 0.1)].reset_index(drop=True)
    mae = {name: [] for name in CONFIGS}
    for repeat in range(repeats):
        for train_index, test_index in KFold(folds, shuffle=True, random_state=repeat).split(d):
            train, test = d.iloc[train_index], d.iloc[test_index]
            for name, config in CONFIGS.items():
                mae[name].append(fit_predict(train, test, *config))
    first = np.array(next(iter(mae.values())))
    print(f"{repeats} x {folds}-fold CV on {len(d)} rows; MAE in dollars, ratio to the first row")
    for name, values in mae.items():
        v = np.array(values)
        ratio = v / first
        se = lambda a: a.std(ddof=1) / np.sqrt(len(a))
        print(f"{v.mean():8.2f} ± {se(v):5.2f}   ×{ratio.mean():.3f} ± {se(ratio):.3f}   {name}")


if __name__ == "__main__":
    main()
