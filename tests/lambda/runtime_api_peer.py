"""The AWS Lambda Runtime API (version 2018-06-01), written from AWS's documentation
("Using the Lambda runtime API for custom runtimes"), for testing `diamond lambda` on
loopback: Lambda's side of the loop for one function.

    GET  /2018-06-01/runtime/invocation/next            -> the next event (blocks until one)
    POST /2018-06-01/runtime/invocation/{id}/response   -> 202
    POST /2018-06-01/runtime/invocation/{id}/error      -> 202
    POST /2018-06-01/runtime/init/error                 -> 202

An invocation carries the headers Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id. A second answer to one
invocation, or an answer to an unknown one, is refused (400), as is a response over 6 MB
(413). Standard library only.
"""

import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


class Outcome:
    """What the runtime posted for one invocation: kind is "response" or "error"."""

    def __init__(self, kind, body, headers):
        self.kind = kind
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body)


class RuntimeApiPeer:
    def __init__(self, function_timeout_seconds=30):
        self.function_timeout_seconds = function_timeout_seconds
        self._events = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = {}      # request id -> queue receiving its Outcome
        self._answered = set()
        self.init_errors = queue.Queue()
        self.next_calls = 0
        self._stopping = threading.Event()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the runtime keeps one connection alive

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _refuse(self, status, error_type, message):
                body = json.dumps({"errorMessage": message, "errorType": error_type}).encode()
                self._send(status, body, {"Content-Type": "application/json"})

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._refuse(404, "NotFound", "no such route: " + self.path)
                with peer._lock:
                    peer.next_calls += 1
                while not peer._stopping.is_set():
                    try:
                        request_id, event, deadline_ms = peer._events.get(timeout=0.2)
                        break
                    except queue.Empty:
                        continue
                else:
                    return
                if deadline_ms is None:
                    deadline_ms = int(time.time() * 1000) + peer.function_timeout_seconds * 1000
                self._send(200, event, {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:123456789012:function:diamond",
                    "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                })

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                if self.path == PREFIX + "/init/error":
                    peer.init_errors.put(Outcome("error", body, headers))
                    return self._send(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
                parts = self.path[len(PREFIX):].split("/")  # ["", "invocation", id, kind]
                if not self.path.startswith(PREFIX) or len(parts) != 4 or parts[1] != "invocation" \
                        or parts[3] not in ("response", "error"):
                    return self._refuse(404, "NotFound", "no such route: " + self.path)
                request_id, kind = parts[2], parts[3]
                with peer._lock:
                    waiting = peer._waiting.get(request_id)
                    if waiting is None or request_id in peer._answered:
                        return self._refuse(400, "InvalidRequestID", "unknown or already answered: " + request_id)
                    if kind == "response" and len(body) > MAX_RESPONSE_BYTES:
                        return self._refuse(413, "RequestEntityTooLarge", "response over 6 MB")
                    peer._answered.add(request_id)
                waiting.put(Outcome(kind, body, headers))
                self._send(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # The runtime's connection ends with its process (stopped by a test): expected.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self):
        """HOST:PORT, what AWS_LAMBDA_RUNTIME_API holds."""
        host, port = self._server.server_address[:2]
        return "%s:%d" % (host, port)

    def invoke(self, event, deadline_ms=None, timeout=120):
        """Queues one invocation and waits for the runtime's answer (an Outcome). `event` is
        a dict (sent as JSON) or bytes (sent as they are)."""
        request_id = str(uuid.uuid4())
        answer = queue.Queue()
        with self._lock:
            self._waiting[request_id] = answer
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        self._events.put((request_id, payload, deadline_ms))
        return answer.get(timeout=timeout)

    def close(self):
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


def http_api_event(method, path, headers=None, query="", body=None, base64_body=False, stage="$default",
                   request_id=None):
    """An API Gateway HTTP API event, payload format 2.0."""
    raw_path = path if stage == "$default" else "/" + stage + path
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.eu-west-1.amazonaws.com",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                     "userAgent": "test"},
            "requestId": request_id or "gw-" + uuid.uuid4().hex[:12],
            "routeKey": "$default",
            "stage": stage,
            "time": "30/Nov/2026:17:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": body,
        "isBase64Encoded": base64_body,
    }


def rest_api_event(method, path, headers=None, query=None, body=None, base64_body=False, request_id=None):
    """An API Gateway REST API proxy event, payload format 1.0 (no "version" member, as REST
    APIs send it). `query` maps names to lists of values."""
    headers = headers or {}
    query = query or {}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {name: value for name, value in headers.items()} or None,
        "multiValueHeaders": {name: [value] for name, value in headers.items()} or None,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abc123",
            "stage": "prod",
            "requestId": request_id or "gw-" + uuid.uuid4().hex[:12],
            "identity": {"sourceIp": "192.0.2.1"},
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": "/prod" + path,
            "apiId": "api-id",
        },
        "body": body,
        "isBase64Encoded": base64_body,
    }
