"""A small client for the diamond pricing API (docs/api.md), standard library only.

    from diamond_client import DiamondClient
    client = DiamondClient("http://127.0.0.1:8080", api_key)
    client.put_dataset("stones", csv_text=open("diamonds.csv").read())
    client.train("linear", "stones")
    price = client.predict("linear", {"carat": 1.05, "cut": "Ideal", ...}, explain=True)

Every error of the API is raised as ApiError, carrying the problem document
(application/problem+json: type, title, status, detail and, for rejected rows or
fields, errors). Requests refused with 429 or 503 are retried after the server's
Retry-After (a few times); anything else is the caller's to handle.
"""

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["ApiError", "DiamondClient"]


class ApiError(Exception):
    """An answer other than 2xx: `status` and the server's `problem` document."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
        detail = self.problem.get("detail") or self.problem.get("title") or ""
        super().__init__("HTTP %d: %s" % (status, detail))

    @property
    def type(self):
        return self.problem.get("type", "")

    @property
    def errors(self):
        """Per-row or per-field problems ({row, line, column, message} or {field, message})."""
        return self.problem.get("errors", [])


class DiamondClient:
    """One API key against one server; safe to share between threads (no state is kept)."""

    def __init__(self, base_url, api_key, timeout=60.0, retries=3):
        self.base_url = base_url.rstrip("/") + "/v1"
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries

    # --- transport ---------------------------------------------------------------------

    def request(self, method, path, body=None, content_type=None, headers=None, query=None, raw=False):
        """Sends one request; returns the decoded JSON (or the bytes when `raw`)."""
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = body
        all_headers = {"Authorization": "Bearer " + self.api_key}
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            data = body.encode()
        if content_type:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as answer:
                    payload = answer.read()
                    if raw:
                        return payload
                    return json.loads(payload) if payload else None
            except urllib.error.HTTPError as error:
                payload = error.read()
                if error.code in (429, 503) and attempt < self.retries:
                    time.sleep(min(float(error.headers.get("Retry-After") or 1), 30))
                    continue
                try:
                    problem = json.loads(payload)
                except ValueError:
                    problem = {"detail": payload.decode(errors="replace")[:300]}
                raise ApiError(error.code, problem) from None
        raise AssertionError("unreachable")

    # --- account ------------------------------------------------------------------------

    def me(self):
        """The key's user, plan, this month's usage and what is left of the quota."""
        return self.request("GET", "/me")

    # --- datasets -----------------------------------------------------------------------

    def list_datasets(self, page=0, page_size=100):
        return self.request("GET", "/datasets", query={"page": page, "page_size": page_size})

    def put_dataset(self, dataset_id, stones=None, csv_text=None, skip_invalid=False):
        """Creates or replaces the dataset's rows (a JSON list of stones, or CSV text)."""
        return self._write_dataset("PUT", dataset_id, stones, csv_text, skip_invalid)

    def append_dataset(self, dataset_id, stones=None, csv_text=None, skip_invalid=False):
        """Adds rows: the new version stores only them (one more segment)."""
        return self._write_dataset("POST", dataset_id, stones, csv_text, skip_invalid)

    def _write_dataset(self, method, dataset_id, stones, csv_text, skip_invalid):
        query = {"skip_invalid": "true"} if skip_invalid else None
        if csv_text is not None:
            return self.request(method, "/datasets/" + dataset_id, csv_text, "text/csv", query=query)
        return self.request(method, "/datasets/" + dataset_id, stones if stones is not None else [], query=query)

    def get_dataset(self, dataset_id):
        """Rows, bytes, sha256, statistics and the kept versions."""
        return self.request("GET", "/datasets/" + dataset_id)

    def dataset_csv(self, dataset_id):
        """The current version's canonical CSV, as text."""
        return self.request("GET", "/datasets/%s/rows" % dataset_id, raw=True).decode()

    def delete_dataset(self, dataset_id):
        return self.request("DELETE", "/datasets/" + dataset_id)

    def upload_file(self, dataset_id, path, mode="replace", part_bytes=16 << 20, poll_seconds=0.5):
        """Uploads a CSV file of any size in parts (each with its SHA-256, checked by the
        server) and completes it; a large upload completes in a job, which is followed.
        Returns the completed upload (dataset_id, dataset_version, ...)."""
        created = self.request("POST", "/datasets/%s/uploads" % dataset_id, {"format": "csv", "mode": mode})
        upload_id = created["upload_id"]
        part_bytes = max(part_bytes, created.get("min_part_bytes", 1))
        with open(path, "rb") as f:
            number = 1
            while True:
                chunk = f.read(part_bytes)
                if not chunk and number > 1:
                    break
                digest = hashlib.sha256(chunk).hexdigest()
                stored = self.request("PUT", "/uploads/%s/parts/%d" % (upload_id, number), chunk,
                                      "application/octet-stream", headers={"x-checksum-sha256": digest})
                if stored["sha256"] != digest:
                    raise ApiError(500, {"detail": "part %d was stored with another SHA-256" % number})
                number += 1
                if not chunk:
                    break
        self.request("POST", "/uploads/%s/complete" % upload_id)
        while True:
            upload = self.request("GET", "/uploads/" + upload_id)
            if upload["state"] == "completed":
                return upload
            if upload["state"] == "open":  # a completion job failed: its problem
                problem = upload.get("last_error", {})
                raise ApiError(problem.get("status", 500), problem)
            time.sleep(poll_seconds)

    # --- models -------------------------------------------------------------------------

    def train(self, model_id, dataset_id, algorithm=None, hyperparameters=None, wait=300, **extra):
        """Trains (or retrains) a model and waits up to `wait` seconds for it; returns the
        model, or the job (state queued/running) if training takes longer."""
        body = {"dataset_id": dataset_id}
        if algorithm:
            body["algorithm"] = algorithm
        if hyperparameters:
            body["hyperparameters"] = hyperparameters
        body.update(extra)
        return self.request("PUT", "/models/" + model_id, body, query={"wait": wait})

    def get_model(self, model_id):
        return self.request("GET", "/models/" + model_id)

    def list_models(self, page=0, page_size=100):
        return self.request("GET", "/models", query={"page": page, "page_size": page_size})

    def delete_model(self, model_id):
        return self.request("DELETE", "/models/" + model_id)

    def model_versions(self, model_id):
        """The kept versions of one of your models, newest first; `champion` marks the one
        served."""
        return self.request("GET", "/models/%s/versions" % model_id)["versions"]

    def rollback(self, model_id, version=None, reason=None):
        """Serves the champion before the current one again (or `version`); returns the
        model as it now is."""
        body = {}
        if version is not None:
            body["version"] = version
        if reason is not None:
            body["reason"] = reason
        return self.request("POST", "/models/%s/rollback" % model_id, body)

    def set_alias(self, model_id, alias, version, reason=None):
        """Points `alias` at a kept version: "champion" promotes it; another name (e.g.
        "challenger") marks it for predict(..., alias=...)."""
        body = {"version": version}
        if reason is not None:
            body["reason"] = reason
        return self.request("PUT", "/models/%s/aliases/%s" % (model_id, alias), body)

    def model_card(self, model_id, version, markdown=False):
        """A version's model card: a dict, or the Markdown text with `markdown`."""
        path = "/models/%s/versions/%d/card" % (model_id, version)
        if markdown:
            return self.request("GET", path, headers={"Accept": "text/markdown"}, raw=True).decode()
        return self.request("GET", path)

    def reproduce(self, model_id, version, poll_seconds=0.5):
        """Trains a kept version again from the data it was trained on (a job) and returns
        its `reproduction`: `identical`, and where the new fit differs if it does."""
        job = self.request("POST", "/models/%s/versions/%d/reproduce" % (model_id, version))
        while job["state"] in ("queued", "running"):
            time.sleep(poll_seconds)
            job = self.job(job["id"])
        if job["state"] != "succeeded":
            raise ApiError(422, {"title": "Reproduction " + job["state"], "detail": job.get("error", "")})
        return self.request("GET", "/models/%s/versions/%d" % (model_id, version))["reproduction"]

    def delete_model_version(self, model_id, version):
        """Deletes a kept version no alias names (not the champion) and its model file."""
        return self.request("DELETE", "/models/%s/versions/%d" % (model_id, version))

    def alias_history(self, model_id):
        """Every move of the champion, newest first: from_version, to_version, by, reason, at."""
        return self.request("GET", "/models/%s/aliases/history" % model_id)["moves"]

    def predict(self, model_id, stones, explain=False, interval=None, version=None, alias=None):
        """Prices one stone (a dict) or many (a list): the price, and with `explain` the
        factors from the base price; with `interval` (e.g. 0.9) a price range. `version` or
        `alias` prices with a kept version of your model instead of its champion."""
        query = {"explain": "true" if explain else None, "interval": interval,
                 "version": version, "alias": alias}
        return self.request("POST", "/models/%s/predict" % model_id, stones, query=query)

    # --- jobs and batch predictions -----------------------------------------------------

    def job(self, job_id):
        return self.request("GET", "/jobs/" + job_id)

    def batch_predict(self, model_id, dataset_id, explain=False, interval=None, poll_seconds=0.5):
        """Prices every row of a stored dataset as a job; returns the priced CSV (bytes)."""
        body = {"dataset_id": dataset_id, "explain": explain}
        if interval:
            body["interval"] = interval
        batch = self.request("POST", "/models/%s/batch-predictions" % model_id, body)
        while batch["state"] in ("queued", "running"):
            time.sleep(poll_seconds)
            batch = self.request("GET", "/batch-predictions/" + batch["id"])
        if batch["state"] != "succeeded":
            raise ApiError(409, {"detail": "batch %s %s: %s" % (batch["id"], batch["state"], batch.get("error", ""))})
        return self.request("GET", "/batch-predictions/%s/result" % batch["id"], raw=True)

    # --- the original service's price queries -------------------------------------------

    def price_query(self, model_id, batches):
        """The seed's flow: open a query, append each batch of stones, read every price
        (following the 0-based pages). Returns the prices in order."""
        opened = self.request("POST", "/models/%s/prices" % model_id)
        location = "/" + opened["location"].split("models/", 1)[1]
        for batch in batches:
            self.request("POST", "/models" + location, batch)
        prices, page = [], 0
        while True:
            answer = self.request("GET", "/models" + location, query={"page": page, "page_size": 1000})
            prices += [r["price"] for r in answer["results"]]
            if not answer.get("next_page_location"):
                return prices
            page += 1


def client_from_environment():
    """DIAMOND_URL (default http://127.0.0.1:8080) and DIAMOND_API_KEY."""
    return DiamondClient(os.environ.get("DIAMOND_URL", "http://127.0.0.1:8080"), os.environ["DIAMOND_API_KEY"])

