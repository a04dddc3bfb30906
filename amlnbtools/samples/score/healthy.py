"""A healthy entry script: loads its model in init(), answers every request in run()."""
import json
import os

model = None


def init():
    global model
    path = os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.json")
    with open(path) as fh:
        model = json.load(fh)


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    prices = [model["intercept"] + sum(w * x for w, x in zip(model["weights"], row)) for row in rows]
    return {"predictions": prices}
