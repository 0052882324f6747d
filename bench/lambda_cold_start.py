"""Cold start of `diamond lambda`: from exec to the first invocation's answer posted to the
Runtime API (the peer of tests/lambda), on the embedded default, in two cases:

  first-start  an empty data dir: the database is created, the first admin made, then
               GET /v1/me is answered;
  first-price  a data dir holding a trained model (copied fresh for each run, so nothing is
               cached): the first invocation prices five stones, so the model is read and
               parsed inside the measured time.

and, for scale, the time Debian's Python takes to start and import pandas and scikit-learn
(what the seed's service pays before its own code runs). Prints the median and the range over RUNS runs of each (docs/performance.md).
Usage: /usr/bin/python3 bench/lambda_cold_start.py DIAMOND_BINARY REFERENCE_CSV [RUNS]
"""

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lambda"))
from runtime_api_peer import RuntimeApiPeer, http_api_event  # noqa: E402


def start(binary, data_dir, peer):
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=peer.address)
    return subprocess.Popen([binary, "lambda", "--data-dir", data_dir, "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process):
    process.terminate()
    process.wait(timeout=20)


def timed_first_answer(binary, data_dir, make_event):
    """Seconds from exec to the first answer; the event is queued before the process starts."""
    peer = RuntimeApiPeer()
    outcome = {}
    key_file = os.path.join(data_dir, "admin.key")
    def invoke():
        outcome["answer"] = peer.invoke(make_event(key_file))
        outcome["at"] = time.perf_counter()
    began = time.perf_counter()
    process = start(binary, data_dir, peer)
    # A first start makes the key it is called with: the event is queued once the process
    # asks for its first invocation (the clock runs on meanwhile). Otherwise it is queued
    # at once, as Lambda holds the event that caused the cold start.
    if not os.path.exists(key_file):
        while peer.next_calls == 0:
            time.sleep(0.0005)
    thread = threading.Thread(target=invoke)
    thread.start()
    thread.join(timeout=120)
    stop(process)
    peer.close()
    answer = json.loads(outcome["answer"].body)
    if answer["statusCode"] != 200:
        raise SystemExit("unexpected answer: %s" % answer)
    return outcome["at"] - began


def me_event(key_file):
    with open(key_file) as f:
        key = f.read().strip()
    return http_api_event("GET", "/v1/me", {"Authorization": "Bearer " + key})


def main():
    binary, data_csv = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    work = tempfile.mkdtemp(prefix="diamond-lambda-bench-")
    try:
        # A data dir with a trained model, prepared once through the runtime itself.
        prepared = os.path.join(work, "prepared")
        peer = RuntimeApiPeer()
        process = start(binary, prepared, peer)
        while peer.next_calls == 0:
            time.sleep(0.01)
        with open(os.path.join(prepared, "admin.key")) as f:
            key = f.read().strip()
        auth = {"Authorization": "Bearer " + key}
        with open(data_csv) as f:
            text = f.read()
        for event in (http_api_event("PUT", "/v1/datasets/ref", dict(auth, **{"Content-Type": "text/csv"}), body=text),
                      http_api_event("PUT", "/v1/models/m", auth, query="wait=300",
                                     body=json.dumps({"dataset_id": "ref"}))):
            status = json.loads(peer.invoke(event).body)["statusCode"]
            assert status in (200, 201), status
        stop(process)
        peer.close()
        with open(data_csv, newline="") as f:
            rows = list(csv.DictReader(f))[:5]
        stones = [{k: (v if k in ("cut", "color", "clarity") else float(v)) for k, v in r.items() if k != "price"}
                  for r in rows]

        def price_event(key_file):
            return http_api_event("POST", "/v1/models/m/predict",
                                  {"Authorization": "Bearer " + key, "Content-Type": "application/json"},
                                  body=json.dumps(stones))

        # For scale: what a Python service pays before its first line of its own runs —
        # starting the interpreter and importing the seed's libraries (a lower bound of its
        # cold start, not the whole of it).
        results = {"first-start": [], "first-price": [], "python-imports": []}
        for run in range(runs):
            fresh = os.path.join(work, "fresh-%d" % run)
            results["first-start"].append(timed_first_answer(binary, fresh, me_event))
            copy = os.path.join(work, "copy-%d" % run)
            shutil.copytree(prepared, copy, ignore=shutil.ignore_patterns("LOCK"))
            results["first-price"].append(timed_first_answer(binary, copy, price_event))
            began = time.perf_counter()
            subprocess.run(["/usr/bin/python3", "-c", "import pandas, sklearn.linear_model, sklearn.pipeline"],
                           check=True)
            results["python-imports"].append(time.perf_counter() - began)
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.rmtree(copy, ignore_errors=True)
        for name, seconds in results.items():
            ms = sorted(s * 1000 for s in seconds)
            print("%-14s median %6.1f ms  (min %.1f, max %.1f, %d runs)" %
                  (name, statistics.median(ms), ms[0], ms[-1], len(ms)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
