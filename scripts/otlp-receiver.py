#!/usr/bin/env python3
"""A real OTLP/HTTP trace receiver for tests: what the services export when
OTEL_EXPORTER_OTLP_ENDPOINT points at it, decoded with the official protobuf definitions
(opentelemetry-proto), one JSON line per span in FILE, for a test to read and assert on.

    otlp-receiver.py --port 0 --out FILE [--count-only]

Binds 127.0.0.1 (port 0: a free one), prints `listening <port>` once ready and serves until
SIGTERM or SIGINT. POST /v1/traces takes an ExportTraceServiceRequest as application/x-protobuf
(what swift-otel sends) or application/json, optionally gzip-compressed, and answers 200 with
an empty ExportTraceServiceResponse in the same content type; 400 for a body it cannot decode,
404 for any other path. Each span becomes {"trace_id", "span_id", "parent_span_id", "name",
"kind", "service", "attributes", "links", "status", "start_ns", "end_ns"} (ids in hex).
With --count-only each export is decoded but only its number of spans is written, one line per
export: a benchmark's sink (Benchmarks/load/tracing-cost.sh), which shares the machine with the
stack and should take as little of it as a collector elsewhere would.
Needs `opentelemetry-proto` and `protobuf` (.ci/run installs them in OTLP_RECEIVER_PYTHON's venv).
"""
import argparse
import base64
import gzip
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"]
STATUSES = ["unset", "ok", "error"]
PROTOBUF, JSON = "application/x-protobuf", "application/json"


def value(any_value):
    """An AnyValue as a plain Python value: str, int, float, bool, list, dict, or hex of bytes."""
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind) if kind else None


def hex_ids_to_base64(node):
    """OTLP/JSON writes ids in hex; protobuf's JSON mapping of bytes is base64."""
    if isinstance(node, list):
        return [hex_ids_to_base64(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: hex_ids_to_base64(item) for key, item in node.items()}
    for key in ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"):
        text = converted.get(key)
        if isinstance(text, str) and len(text) in (16, 32) and all(c in "0123456789abcdefABCDEF" for c in text):
            converted[key] = base64.b64encode(bytes.fromhex(text)).decode()
    return converted


def spans(request):
    for resource_spans in request.resource_spans:
        service = next((value(a.value) for a in resource_spans.resource.attributes if a.key == "service.name"), "")
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield {
                    "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(), "name": span.name,
                    "kind": KINDS[span.kind] if span.kind < len(KINDS) else str(span.kind),
                    "service": service,
                    "attributes": {a.key: value(a.value) for a in span.attributes},
                    "links": [{"trace_id": l.trace_id.hex(), "span_id": l.span_id.hex()} for l in span.links],
                    "status": STATUSES[span.status.code] if span.status.code < len(STATUSES) else str(span.status.code),
                    "start_ns": span.start_time_unix_nano, "end_ns": span.end_time_unix_nano,
                }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the exporters expect

    def do_GET(self):
        self.answer(405 if self.path.split("?")[0] == "/v1/traces" else 404, "text/plain", b"POST /v1/traces only\n")

    def do_POST(self):
        if "Content-Length" not in self.headers:  # the exporters always send one; no chunked bodies
            self.close_connection = True
            return self.answer(411, "text/plain", b"Content-Length required\n")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.split("?")[0] != "/v1/traces":
            return self.answer(404, "text/plain", b"not found\n")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if (self.headers.get("Content-Encoding") or "identity").lower() == "gzip":
                body = gzip.decompress(body)
            request = ExportTraceServiceRequest()
            if content_type == PROTOBUF:
                request.ParseFromString(body)
            elif content_type == JSON:
                json_format.ParseDict(hex_ids_to_base64(json.loads(body)), request)
            else:
                raise ValueError(f"unsupported Content-Type {content_type!r}")
            if self.server.count_only:
                lines = f"{sum(len(scope.spans) for rs in request.resource_spans for scope in rs.scope_spans)}\n"
            else:
                lines = "".join(json.dumps(span) + "\n" for span in spans(request))
        except Exception as error:  # whatever fails to decode is the client's error
            print(f"otlp-receiver: 400 for {len(body)} bytes: {error!r}", file=sys.stderr, flush=True)
            return self.answer(400, "text/plain", f"cannot decode: {error}\n".encode())
        with self.server.out_lock:
            self.server.out.write(lines)
            self.server.out.flush()
        response = ExportTraceServiceResponse()
        if content_type == JSON:
            self.answer(200, JSON, json_format.MessageToJson(response).encode())
        else:
            self.answer(200, PROTOBUF, response.SerializeToString())

    def answer(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # quiet: only failures go to stderr
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--out", required=True, help="file the spans are appended to, one JSON line each")
    parser.add_argument("--count-only", action="store_true", help="write each export's number of spans, not the spans")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.count_only = args.count_only
    server.out, server.out_lock = open(args.out, "a", encoding="utf-8"), threading.Lock()

    def stop(*_):  # shutdown() waits for serve_forever(), which runs on this (the main) thread
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()
    server.server_close()
    server.out.close()


if __name__ == "__main__":
    main()
