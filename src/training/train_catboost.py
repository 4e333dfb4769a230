#!/usr/bin/env python3
"""Trains one CatBoost points model for `npm run --silent cli -- train` (src/training/trainer.ts).

Pinned: CatBoost 1.2.8 (test/fixtures/requirements.txt, the version that trained the V9 models);
any other version is refused (exit 3). Reads the training CSV that src/training/rows.ts exported
from storage (game_date, player_lookup, game_id, the 33 V9 features, points), checks its sha256
against the fingerprint it was given, trains, and writes the .cbm with the lineage in the model's
OWN metadata (InfoMap key `pw_lineage`, via model.get_metadata()), then reloads the file and checks
the lineage reads back. Progress: CatBoost's own per-iteration log lines on stdout. Last stdout
line: `PW_RESULT <json>`.

Usage: train_catboost.py --csv rows.csv --out model.cbm --params '<json>' --lineage '<json>'
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
import time

PINNED_CATBOOST = "1.2.8"
DEFAULT_PARAMS = {
    "loss_function": "RMSE",
    "iterations": 400,
    "depth": 6,
    "learning_rate": 0.05,
    "l2_leaf_reg": 3,
    "random_seed": 42,
    "thread_count": 1,
}


def fail(code: int, message: str) -> None:
    print(f"train_catboost: {message}", file=sys.stderr)
    sys.exit(code)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--lineage", required=True)
    ap.add_argument("--progress-every", type=int, default=50)
    args = ap.parse_args()

    try:
        import catboost
        from catboost import CatBoostRegressor, Pool
    except ImportError as err:
        fail(3, f"catboost is not importable ({err}); install test/fixtures/requirements.txt")
    if catboost.__version__ != PINNED_CATBOOST:
        fail(3, f"catboost {catboost.__version__} installed, {PINNED_CATBOOST} pinned")

    lineage = json.loads(args.lineage)
    with open(args.csv, "rb") as fh:
        raw = fh.read()
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if digest != lineage["fingerprint"]:
        fail(4, f"training CSV fingerprint {digest} != {lineage['fingerprint']} (file changed after export)")

    reader = csv.reader(raw.decode("utf-8").splitlines())
    header = next(reader)
    if header[:3] != ["game_date", "player_lookup", "game_id"] or header[-1] != "points":
        fail(4, f"unexpected CSV header {header[:3]}...{header[-1:]}")
    feature_names = header[3:-1]
    features, target, dates = [], [], []
    for row in reader:
        dates.append(row[0])
        features.append([math.nan if cell == "" else float(cell) for cell in row[3:-1]])
        target.append(float(row[-1]))
    if not features:
        fail(4, "no training rows")
    if min(dates) < lineage["train_start"] or max(dates) > lineage["train_end"]:
        fail(4, f"row dates {min(dates)}..{max(dates)} outside the window {lineage['train_start']}..{lineage['train_end']}")
    if len(features) != lineage["rows"]:
        fail(4, f"{len(features)} rows in the CSV, {lineage['rows']} exported")

    params = dict(DEFAULT_PARAMS)
    params.update(json.loads(args.params))
    print(f"training CatBoost {catboost.__version__} on {len(features)} rows x {len(feature_names)} features: {json.dumps(params, sort_keys=True)}", flush=True)
    started = time.time()
    model = CatBoostRegressor(**params, verbose=args.progress_every, allow_writing_files=False)
    model.fit(Pool(features, target, feature_names=feature_names))
    seconds = time.time() - started

    full = dict(lineage)
    full.update(
        {
            "params": params,
            "catboost_version": catboost.__version__,
            "feature_names": feature_names,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    model.get_metadata()["pw_lineage"] = json.dumps(full, sort_keys=True)
    model.save_model(args.out, format="cbm")

    check = CatBoostRegressor()
    check.load_model(args.out, format="cbm")
    if json.loads(check.get_metadata()["pw_lineage"]) != full:
        fail(5, "lineage did not read back from the saved model")
    print("PW_RESULT " + json.dumps({"out": args.out, "seconds": round(seconds, 2), "trees": check.tree_count_, "lineage": full}), flush=True)


if __name__ == "__main__":
    main()
