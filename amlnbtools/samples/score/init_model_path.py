"""init() looks for the model under the wrong name: the model folder holds model.json, not model.pkl."""
import json
import os
import pickle

model = None


def init():
    global model
    path = os.path.join(os.environ.get("AZUREML_MODEL_DIR", "."), "sklearn_regression_model.pkl")
    with open(path, "rb") as fh:
        model = pickle.load(fh)


def run(raw_data):
    return {"predictions": model.predict(json.loads(raw_data)["data"]).tolist()}
