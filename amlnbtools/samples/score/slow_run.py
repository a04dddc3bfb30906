"""run() takes 3 s per request: longer than a 1-second scoring timeout."""
import json
import time


def init():
    pass


def run(raw_data):
    time.sleep(3)
    return {"rows": len(json.loads(raw_data)["data"])}
