"""CatBoost itself as the oracle: predict RawFormulaVal for rows in a CSV with a given .cbm model.

Usage: python catboost_predict.py MODEL.cbm ROWS.csv OUT.json
ROWS.csv: header = feature names; empty cell = NaN; values are float32-exact decimals.
OUT.json: {"catboost_version": ..., "predictions": [repr(float), ...]} parsed back exactly by JSON.parse.
"""
import csv
import json
import sys

import catboost
import numpy as np

model_path, rows_path, out_path = sys.argv[1:4]
model = catboost.CatBoost()
model.load_model(model_path)
with open(rows_path, newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = [[float(c) if c != "" else float("nan") for c in r] for r in reader]
names = model.feature_names_
assert names == header, f"column order differs: {header[:3]}... vs model {names[:3]}..."
x = np.asarray(rows, dtype=np.float32)
pred = model.predict(x, prediction_type="RawFormulaVal")
with open(out_path, "w") as f:
    f.write('{"catboost_version": %s, "predictions": [%s]}' % (json.dumps(catboost.__version__), ",".join(repr(float(p)) for p in pred)))
