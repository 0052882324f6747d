"""`diamond lambda` against a Runtime API peer written from AWS's documentation
(runtime_api_peer.py): API Gateway events of both payload formats go through the same
router, gate and handlers as `diamond serve`; base64 bodies, query strings, named stages,
request ids, an event that is not API Gateway's (the invocation's error), the deadline
header (a wait ends before it) and a failed start (the init error).

Usage: test_lambda_runtime.py DIAMOND_BINARY REFERENCE_CSV   (run by ctest)
"""

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api_peer import RuntimeApiPeer, http_api_event, rest_api_event  # noqa: E402

BINARY = None
DATA_CSV = None
REPOSITORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class LambdaProcess:
    """`diamond lambda` on a temporary data dir, talking to its own Runtime API peer."""

    def __init__(self, *extra_args, wait_ready=True, via_bootstrap=False):
        self.work = tempfile.mkdtemp(prefix="diamond-lambda-")
        self.data_dir = os.path.join(self.work, "var")
        self.peer = RuntimeApiPeer()
        self.log_path = os.path.join(self.work, "lambda.log")
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=self.peer.address)
        command = [BINARY, "lambda"]
        if via_bootstrap:
            # Laid out as the zip package is in $LAMBDA_TASK_ROOT: bootstrap, bin/diamond.
            root = os.path.join(self.work, "task")
            os.makedirs(os.path.join(root, "bin"))
            os.symlink(os.path.abspath(BINARY), os.path.join(root, "bin", "diamond"))
            shutil.copy(os.path.join(REPOSITORY, "deploy", "lambda", "bootstrap"), root)
            env.update(LAMBDA_TASK_ROOT=root, DIAMOND_DATA_DIR=self.data_dir)
            command = [os.path.join(root, "bootstrap")]
        else:
            command += ["--data-dir", self.data_dir]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command + ["--quiet", *extra_args],
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        if wait_ready:
            self._wait_until_ready()

    def _wait_until_ready(self):
        # Ready once it asks for its first invocation (after writing the first admin's key).
        for _ in range(600):
            if self.peer.next_calls > 0:
                with open(os.path.join(self.data_dir, "admin.key")) as f:
                    self.key = f.read().strip()
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("diamond lambda did not start:\n" + self.log())

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.peer.close()
        shutil.rmtree(self.work, ignore_errors=True)


class Answer:
    """An API Gateway response document, decoded: status, headers (lowercased), body bytes."""

    def __init__(self, document, payload_version):
        self.document = document
        self.status = document["statusCode"]
        if payload_version == 1:
            self.assert_no_single_headers = "headers" not in document
            self.headers = {name.lower(): ", ".join(values) for name, values in document["multiValueHeaders"].items()}
        else:
            self.headers = {name.lower(): value for name, value in document["headers"].items()}
        body = document.get("body", "")
        self.body = base64.b64decode(body) if document.get("isBase64Encoded") else body.encode()

    def json(self):
        return json.loads(self.body)


def reference_rows():
    with open(DATA_CSV, newline="") as f:
        return list(csv.DictReader(f))


def stone(row):
    out = {name: float(row[name]) for name in ("carat", "depth", "table", "x", "y", "z")}
    out.update({name: row[name] for name in ("cut", "color", "clarity")})
    return out


class LambdaRuntimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fn = LambdaProcess()
        cls.key = cls.fn.key
        with open(DATA_CSV, "rb") as f:
            csv_bytes = f.read()
        # A REST API event with the CSV as a base64 body, as API Gateway sends binary media.
        created = cls.call(1, "PUT", "/v1/datasets/lambda-ref", headers={"Content-Type": "text/csv"},
                           body=base64.b64encode(csv_bytes).decode(), base64_body=True)
        assert created.status == 200, created.body
        cls.reference_rows = created.json()["rows"]
        trained = cls.call(2, "PUT", "/v1/models/lambda-linear", query="wait=300",
                           body=json.dumps({"dataset_id": "lambda-ref"}))
        assert trained.status == 201, trained.body

    @classmethod
    def tearDownClass(cls):
        cls.fn.stop()

    @classmethod
    def call(cls, version, method, path, headers=None, query="", body=None, base64_body=False, key=True,
             deadline_ms=None, request_id=None, stage="$default", fn=None):
        fn = fn or cls.fn
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = "Bearer " + fn.key
        if version == 2:
            event = http_api_event(method, path, headers, query, body, base64_body, stage, request_id)
        else:
            multi = {}
            for pair in filter(None, query.split("&")):
                name, _, value = pair.partition("=")
                multi.setdefault(name, []).append(value)
            event = rest_api_event(method, path, headers, multi, body, base64_body, request_id)
        outcome = fn.peer.invoke(event, deadline_ms=deadline_ms)
        assert outcome.kind == "response", (outcome.kind, outcome.body)
        return Answer(outcome.json(), version)

    def test_both_payload_formats_reach_the_same_api(self):
        for version in (1, 2):
            me = self.call(version, "GET", "/v1/me")
            self.assertEqual(me.status, 200, me.body)
            self.assertEqual(me.json()["role"], "admin")
            self.assertEqual(me.headers["content-type"], "application/json")
        self.assertIn("multiValueHeaders", self.call(1, "GET", "/v1/me").document)
        self.assertNotIn("multiValueHeaders", self.call(2, "GET", "/v1/me").document)
        # The seed's unprefixed routes, and the public ones without a key.
        root = self.call(2, "GET", "/", key=False)
        self.assertEqual(root.json()["message"], "Diamond model API")

    def test_tenancy_and_rate_limits_hold(self):
        plans = {p["name"]: p for p in self.call(2, "GET", "/v1/admin/plans").json()["results"]}
        slow = dict(plans["free"], requests_per_second=0.01, burst=2)
        slow.pop("name", None)
        self.assertEqual(self.call(2, "PUT", "/v1/admin/plans/lambda-slow", body=json.dumps(slow)).status, 200)
        made = self.call(1, "POST", "/v1/admin/users", body=json.dumps({"id": "lambda-member", "plan": "lambda-slow"}))
        self.assertEqual(made.status, 201, made.body)
        key = self.call(1, "POST", "/v1/admin/users/lambda-member/keys", body="{}").json()["key"]
        member = {"Authorization": "Bearer " + key}
        # Another tenant's dataset does not exist for this user.
        hidden = self.call(2, "GET", "/v1/datasets/lambda-ref", headers=member, key=False)
        self.assertEqual(hidden.status, 404)
        # The gate's RateLimit-* headers (written by it as preformatted lines) arrive, then 429.
        limited = self.call(1, "GET", "/v1/me", headers=member, key=False)
        self.assertIn("ratelimit-remaining", limited.headers)
        refused = self.call(2, "GET", "/v1/me", headers=member, key=False)
        self.assertEqual(refused.status, 429)
        self.assertIn("retry-after", refused.headers)

    def test_the_stored_data_and_model_answer_as_over_http(self):
        rows = reference_rows()
        self.assertEqual(self.reference_rows, len(rows))
        stones = [stone(r) for r in rows[:5]]
        prices = []
        for version in (1, 2):
            answer = self.call(version, "POST", "/v1/models/lambda-linear/predict", query="explain=true",
                               body=json.dumps(stones), headers={"Content-Type": "application/json"})
            self.assertEqual(answer.status, 200, answer.body)
            prices.append(answer.json())
        self.assertEqual(prices[0], prices[1])
        self.assertEqual(len(prices[0]["predictions"] if "predictions" in prices[0] else prices[0]), 5)
        # The stored CSV comes back byte for byte (a text body, not base64).
        download = self.call(2, "GET", "/v1/datasets/lambda-ref/rows")
        self.assertEqual(download.status, 200)
        self.assertFalse(download.document["isBase64Encoded"])
        self.assertEqual(len(download.body.decode().strip().split("\n")), len(rows) + 1)
        # The Open Inference Protocol's routes too, with their own error shape.
        self.check_open_inference_protocol()

    def test_downloads_are_answered_whole_up_to_lambdas_limit(self):
        # Over a megabyte, the server streams a download; Lambda answers whole, so it is read
        # into the answer — up to Lambda's 6 MB, past which the answer says to ask for less.
        with open(DATA_CSV, "rb") as f:
            header, _, body = f.read().partition(b"\n")
        def put(method, copies):
            answer = self.call(2, method, "/v1/datasets/lambda-big", headers={"Content-Type": "text/csv"},
                               body=(header + b"\n" + body * copies).decode())
            self.assertEqual(answer.status, 200, answer.body[:300])
            return answer.json()
        put("PUT", 10)
        versions = self.call(2, "GET", "/v1/datasets/lambda-big").json()["versions"]
        download = self.call(2, "GET", "/v1/datasets/lambda-big/rows")
        self.assertEqual(download.status, 200)
        self.assertGreater(len(download.body), 1 << 20)
        self.assertEqual(len(download.body), versions[-1]["bytes"])
        self.assertEqual(hashlib.sha256(download.body).hexdigest(), versions[-1]["sha256"])
        put("POST", 20)  # appended: now past 6 MB
        too_large = self.call(2, "GET", "/v1/datasets/lambda-big/rows")
        self.assertEqual(too_large.status, 500)
        self.assertEqual(too_large.json()["type"].rsplit("/", 1)[-1], "response-too-large")

    def check_open_inference_protocol(self):
        live = self.call(2, "GET", "/v2/health/live", key=False)
        self.assertEqual(live.json(), {"live": True})
        missing = self.call(2, "POST", "/v2/models/nope/infer", body="{}")
        self.assertEqual(missing.status, 404)
        self.assertIn("error", missing.json())

    def test_query_strings_of_both_formats(self):
        for version in (1, 2):
            page = self.call(version, "GET", "/v1/datasets", query="page=0&page_size=1")
            self.assertEqual(page.status, 200, page.body)
            self.assertEqual(len(page.json()["results"]), 1)
            unknown = self.call(version, "GET", "/v1/datasets", query="colour=red")
            self.assertEqual(unknown.status, 422)
            self.assertEqual(unknown.headers["content-type"], "application/problem+json")
        # An HTTP API passes the raw query string: a bad escape is the client's error.
        malformed = self.call(2, "GET", "/v1/datasets", query="page=%zz", request_id="gw-malformed")
        self.assertEqual(malformed.status, 400)
        self.assertEqual(malformed.headers["content-type"], "application/problem+json")
        # Refused before routing, it is still answered as every request is: with its id.
        self.assertEqual(malformed.headers["x-request-id"], "gw-malformed")

    def test_refusals_are_problems(self):
        anonymous = self.call(2, "GET", "/v1/me", key=False)
        self.assertEqual(anonymous.status, 401)
        self.assertEqual(anonymous.headers["content-type"], "application/problem+json")
        not_base64 = self.call(1, "PUT", "/v1/datasets/x", body="***", base64_body=True)
        self.assertEqual(not_base64.status, 400)
        self.assertIn("base64", not_base64.json()["detail"])
        self.assertRegex(not_base64.headers["x-request-id"], r"^\S+$")
        nowhere = self.call(2, "GET", "/v1/no/such/route")
        self.assertEqual(nowhere.status, 404)

    def test_named_stage_and_request_ids(self):
        staged = self.call(2, "GET", "/v1/me", stage="prod", request_id="gw-request-1")
        self.assertEqual(staged.status, 200, staged.body)
        # API Gateway's request id names the request in the API's logs and headers...
        self.assertEqual(staged.headers["x-request-id"], "gw-request-1")
        # ...unless the client sent its own.
        own = self.call(1, "GET", "/v1/me", headers={"X-Request-Id": "client-7"}, request_id="gw-request-2")
        self.assertEqual(own.headers["x-request-id"], "client-7")

    def test_an_event_that_is_not_api_gateways_is_the_invocations_error(self):
        for event in ({"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}}}]}, b"not json",
                      {"version": "3.0", "rawPath": "/"}):
            outcome = self.fn.peer.invoke(event)
            self.assertEqual(outcome.kind, "error")
            self.assertEqual(outcome.headers["lambda-runtime-function-error-type"], "Diamond.UnsupportedEvent")
            document = outcome.json()
            self.assertEqual(document["errorType"], "Diamond.UnsupportedEvent")
            self.assertIn("API Gateway", document["errorMessage"])
        # The runtime goes on with the next invocation.
        self.assertEqual(self.call(2, "GET", "/v1/me").status, 200)


class LambdaDeadlineTest(unittest.TestCase):
    def test_a_wait_ends_before_the_deadline(self):
        # No job workers: the training job stays queued, so only the deadline can end the
        # request's 300-second wait. Answered 202 with the job, before the deadline — not
        # cut off by Lambda, and not the runtime's own 504.
        fn = LambdaProcess("--job-workers", "0")
        try:
            with open(DATA_CSV) as f:
                created = LambdaRuntimeTest.call(2, "PUT", "/v1/datasets/d", body=f.read(),
                                                 headers={"Content-Type": "text/csv"}, fn=fn)
            self.assertEqual(created.status, 200, created.body)
            deadline_ms = int(time.time() * 1000) + 2500
            answer = LambdaRuntimeTest.call(2, "PUT", "/v1/models/m", query="wait=300",
                                            body=json.dumps({"dataset_id": "d"}), deadline_ms=deadline_ms, fn=fn)
            self.assertEqual(answer.status, 202, answer.body)
            self.assertIn(answer.json()["state"], ("queued", "running"))
            self.assertTrue(answer.headers["location"].startswith("/v1/jobs/"))
        finally:
            fn.stop()


class LambdaPackagingTest(unittest.TestCase):
    def test_the_bootstrap_script_runs_the_runtime(self):
        # deploy/lambda/bootstrap, in a task root laid out as the zip package; storage from
        # the environment (DIAMOND_DATA_DIR), as a function's configuration gives it.
        fn = LambdaProcess(via_bootstrap=True)
        try:
            me = LambdaRuntimeTest.call(2, "GET", "/v1/me", fn=fn)
            self.assertEqual(me.status, 200, me.body)
            self.assertEqual(me.json()["role"], "admin")
        finally:
            fn.stop()


class LambdaInitErrorTest(unittest.TestCase):
    def test_storage_that_cannot_open_is_reported_as_the_init_error(self):
        fn = LambdaProcess("--db", "postgresql://diamond@127.0.0.1:1/nowhere", wait_ready=False)
        try:
            outcome = fn.peer.init_errors.get(timeout=60)
            self.assertEqual(outcome.headers["lambda-runtime-function-error-type"], "Diamond.InitError")
            self.assertIn("cannot open database", outcome.json()["errorMessage"])
            self.assertNotEqual(fn.process.wait(timeout=30), 0)
            self.assertEqual(fn.peer.next_calls, 0)
        finally:
            fn.stop()


if __name__ == "__main__":
    BINARY, DATA_CSV = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
