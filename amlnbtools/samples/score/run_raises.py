"""init() works; run() fails on every request whose rows lack a feature."""
import json
import os

model = None


def init():
    global model
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.json")) as fh:
        model = json.load(fh)


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    features = [dict(zip(model["features"], row)) for row in rows]
    return {"predictions": [model["intercept"] + 1250.0 * f["area_m2"] + 18000.0 * f["rooms"]
                            - 950.0 * f["age_years"] for f in features]}
