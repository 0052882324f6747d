#!/usr/bin/python3
"""The Python way of pricing a CSV, timed on the same file `diamond predict` prices.

Usage: pandas_predict_reference.py TRAIN_CSV INPUT_CSV OUTPUT_CSV REPS
Fits (untimed) scikit-learn's LinearRegression on log price against log carat and the three
grades as ordinal codes — the model `diamond train --features carat,cut,color,clarity`
fits — then, per repetition, times what a pandas user writes: read_csv → features →
predict → exp → to_csv with a price_predicted column. Prints "python <seconds>" lines.
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

CUTS = ["Fair", "Good", "Very Good", "Premium", "Ideal"]
COLORS = list("JIHGFED")
CLARITIES = ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]


def features(frame):
    return np.column_stack([
        np.log(frame["carat"].to_numpy()),
        frame["cut"].map({g: i for i, g in enumerate(CUTS)}).to_numpy(dtype=float),
        frame["color"].map({g: i for i, g in enumerate(COLORS)}).to_numpy(dtype=float),
        frame["clarity"].map({g: i for i, g in enumerate(CLARITIES)}).to_numpy(dtype=float),
    ])


def main():
    train_path, input_path, output_path, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    train = pd.read_csv(train_path)
    train = train[(train["price"] > 0) & (train["x"] > 0) & (train["y"] > 0) & (train["z"] > 0)]
    model = LinearRegression().fit(features(train), np.log(train["price"].to_numpy()))
    for _ in range(reps):
        start = time.perf_counter()
        frame = pd.read_csv(input_path)
        frame = frame[(frame["x"] > 0) & (frame["y"] > 0) & (frame["z"] > 0)]
        frame["price_predicted"] = np.round(np.exp(model.predict(features(frame))), 2)
        frame.to_csv(output_path, index=False)
        print(f"python {time.perf_counter() - start:.3f}", flush=True)


if __name__ == "__main__":
    main()
