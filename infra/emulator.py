#!/usr/bin/env python3
"""Run the local AWS emulator (moto) with template.yaml's resources, for as long as the parent lives.

Starts moto's server on 127.0.0.1:PORT, creates the resources (provision.py), prints their JSON description
as one line on stdout, then waits for stdin to close. The parent (dev server, test harness) holds stdin
open, so however the parent ends, even killed, the emulator ends with it and no stray server is left.
"""

import argparse
import io
import json
import logging
import os
import sys
from contextlib import redirect_stdout

import threading

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

import provision


class SerialDynamoDB:
    """WSGI middleware: one DynamoDB request at a time. moto's table models are not thread-safe, and
    concurrent TransactWriteItems on one table (an import's rows, racing PATCHes) sometimes fail with a 500
    that DynamoDB never gives. S3 and SQS stay concurrent: SQS long polls must not hold up the table."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self.lock:
                # Consume the whole response under the lock: moto builds it lazily.
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


def journaled_transactions():
    """Makes moto's TransactWriteItems cost what the transaction touches, not what the table holds.

    moto backs a transaction up by deep-copying the whole table once per item in it, so every transaction
    gets slower as the table grows (seconds each past a few thousand items; an import of 100,000 workers
    never finishes). Instead: note the items the transaction names, let moto apply it with the table copy
    made a no-op, and put those items back if it fails. Requests to DynamoDB are serialised (see
    SerialDynamoDB), so nothing else changes them meanwhile.
    """
    import copy

    import moto.dynamodb.models as ddb
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real_deepcopy = copy.deepcopy

    class NoTableCopy:
        @staticmethod
        def deepcopy(value, memo=None):
            return value if isinstance(value, Table) else real_deepcopy(value, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    ddb.copy = NoTableCopy()
    original = ddb.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op["Item"] if op_type == "Put" else op.get("Key", {})
            if table.hash_key_attr not in attrs:
                continue
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
            before = table.get_item(hash_key, range_key)
            saved.append((table, hash_key, range_key, real_deepcopy(before) if before is not None else None))
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, before in reversed(saved):
                if range_key is None:
                    if before is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = before
                elif before is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = before
            raise

    ddb.DynamoDBBackend.transact_write_items = transact_write_items


def partition_queries():
    """Makes a table Query cost what its partition holds, not what the table holds.

    moto answers a Query by listing and sorting every item of the table, then keeping the partition's, so
    each call costs seconds once the table holds a few hundred thousand items (a segment sync over 100,000
    workers makes thousands of them). A table Query names one partition: hand moto only that partition's
    items; it still sorts, pages and filters them itself. GSI queries keep moto's own path.
    """
    import inspect

    from moto.dynamodb.models.table import Table

    original = Table.query
    signature = inspect.signature(original)

    def query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        if bound.arguments.get("index_name") or not self.range_key_attr or hash_key is None:
            return original(self, *args, **kwargs)
        partition = list(self.items[hash_key].values()) if hash_key in self.items else []
        self.all_items = lambda: partition
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query


def sent_mail():
    """The emails SES has sent: raw ones with their data, simple ones with subject and body."""
    from moto.ses.models import ses_backends

    sent = []
    for account in list(ses_backends.keys()):
        for region in list(ses_backends[account].keys()):
            for m in list(ses_backends[account][region].sent_messages):
                if hasattr(m, "raw_data"):
                    sent.append({"id": m.id, "source": m.source, "to": list(m.destinations), "raw": m.raw_data})
                elif hasattr(m, "subject"):
                    to = m.destinations.get("ToAddresses", []) if isinstance(m.destinations, dict) else []
                    sent.append({"id": m.id, "source": m.source, "to": to, "subject": m.subject, "body": m.body})
    return sent


def sent_sms():
    """The SMS SNS has published to phone numbers (moto keeps `message id -> (phone, text)`)."""
    from moto.sns.models import sns_backends

    sent = []
    for account in list(sns_backends.keys()):
        for region in list(sns_backends[account].keys()):
            for msg_id, (phone, message) in list(sns_backends[account][region].sms_messages.items()):
                sent.append({"id": msg_id, "to": phone, "message": message})
    return sent


class SentMessages:
    """WSGI middleware: what the emulated providers sent, which moto keeps in its backends with no API for it.
    `GET /_local/ses/sent` lists SES's emails (the local mailbox and the tests read the emails the
    notifications function sent), `GET /_local/sns/sms` the SMS published to phone numbers."""

    ROUTES = {"/_local/ses/sent": sent_mail, "/_local/sns/sms": sent_sms}

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        route = self.ROUTES.get(environ.get("PATH_INFO"))
        if route is None or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        body = json.dumps(route()).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


class Server(ThreadedMotoServer):
    def _server_entry(self):
        app = SentMessages(SerialDynamoDB(DomainDispatcherApplication(create_backend_app)))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="0: any free port (reported in the output)")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--prefix", default="nudge")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    journaled_transactions()
    partition_queries()
    server = Server(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    endpoint = f"http://127.0.0.1:{port}"
    buf = io.StringIO()
    sys.argv = ["provision.py", "--endpoint", endpoint, "--template", args.template, "--prefix", args.prefix]
    with redirect_stdout(buf):
        provision.main()
    description = json.loads(buf.getvalue())
    description["endpoint"] = endpoint
    print(json.dumps(description), flush=True)
    sys.stdout = open(os.devnull, "w")  # the parent reads one line and no more
    sys.stdin.read()  # returns at EOF: the parent is gone
    server.stop()


if __name__ == "__main__":
    main()
