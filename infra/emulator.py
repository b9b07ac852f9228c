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

from moto.server import ThreadedMotoServer

import provision


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="0: any free port (reported in the output)")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--prefix", default="nudge")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
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
