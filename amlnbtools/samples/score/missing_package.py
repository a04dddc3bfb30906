"""Imports a package the environment does not have (a team's private feature library)."""
import json

import contoso_features  # noqa: F401  (installed on the laptop, forgotten in the deployment environment)


def init():
    pass


def run(raw_data):
    return {"rows": len(json.loads(raw_data)["data"])}
