#!/usr/bin/python3
"""Times XGBoost's own feature contributions (TreeSHAP) for one stone, with Debian's
python3-xgboost, on the matrix bench_gbdt_train writes (the reference rows' features).

Usage: xgboost_contribs_reference.py MATRIX
Prints, for a few model sizes, the time of booster.predict(one row, pred_contribs=True):
the cost our own tables avoid (docs/models.md).
"""
import sys
import time

import numpy as np
import xgboost as xgb


def main():
    with open(sys.argv[1], "rb") as f:
        rows, cols = (int(v) for v in np.frombuffer(f.read(16), dtype=np.uint64))
        base = float(np.frombuffer(f.read(8), dtype=np.float64)[0])
        x = np.frombuffer(f.read(rows * cols * 4), dtype=np.float32).reshape(rows, cols)
        y = np.frombuffer(f.read(rows * 4), dtype=np.float32)
    train = xgb.DMatrix(x, label=y, nthread=1)
    one = xgb.DMatrix(x[:1], nthread=1)
    for depth, rounds in [(3, 150), (3, 400), (4, 300), (6, 300)]:
        params = {"objective": "reg:squarederror", "tree_method": "hist", "base_score": base,
                  "max_depth": depth, "eta": 0.1, "nthread": 1, "verbosity": 0}
        booster = xgb.train(params, train, num_boost_round=rounds)
        booster.predict(one, pred_contribs=True)  # warm-up
        start = time.perf_counter()
        for _ in range(50):
            booster.predict(one, pred_contribs=True)
        micros = (time.perf_counter() - start) / 50 * 1e6
        print(f"depth {depth}, {rounds} rounds: {micros:.0f} us per stone for pred_contribs")


if __name__ == "__main__":
    main()
