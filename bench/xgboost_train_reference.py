#!/usr/bin/python3
"""Times Debian's python3-xgboost training on the matrix bench_gbdt_train wrote.

Usage: xgboost_train_reference.py MATRIX THREADS REPS
Prints one line per repetition: "python <seconds>" for DMatrix construction plus
xgboost.train with the same parameters as ml::FitGbdt's defaults (early stopping off).
"""
import sys
import time

import numpy as np
import xgboost as xgb


def main():
    path, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(path, "rb") as f:
        rows, cols = np.frombuffer(f.read(16), dtype=np.uint64)
        base = float(np.frombuffer(f.read(8), dtype=np.float64)[0])
        x = np.frombuffer(f.read(int(rows * cols) * 4), dtype=np.float32).reshape(int(rows), int(cols))
        y = np.frombuffer(f.read(int(rows) * 4), dtype=np.float32)
    params = {
        "objective": "reg:squarederror", "tree_method": "hist", "eval_metric": "rmse",
        "verbosity": 0, "base_score": base, "max_depth": 3, "eta": 0.1, "subsample": 0.8,
        "colsample_bytree": 0.8, "min_child_weight": 1.0, "lambda": 1.0, "seed": 42,
        "nthread": threads,
    }
    for _ in range(reps):
        start = time.perf_counter()
        booster = xgb.train(params, xgb.DMatrix(x, label=y, nthread=threads), num_boost_round=400)
        seconds = time.perf_counter() - start
        assert booster.num_boosted_rounds() == 400
        print(f"python {seconds:.4f}", flush=True)


if __name__ == "__main__":
    main()
