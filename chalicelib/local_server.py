"""`make run`'s HTTP server: chalice local's request handling behind a server that holds load.

`chalice local` serves from `http.server` with a listen backlog of 5 and one new thread
per connection: 50 clients at once get connection resets (issue 11). This keeps what
chalice local does with a request — the same app object, routes, stage configuration
and local authorizer (chalice's own `LocalDevServer` and request handler) — and changes
only the server around it: a backlog of `BACKLOG` connections and a bounded pool of
`WORKERS` threads, so a burst waits in the queue instead of being refused, and a
client that keeps a connection open idle gives its worker back after `IDLE_SECONDS`.

Run: python -m chalicelib.local_server [--host 127.0.0.1] [--port 8000] [--stage local] [--data .data]
`--data` keeps the stack's state in that folder across restarts (`make run` passes `.data`;
chalicelib/localstack.py `DataFolder`); without it everything is in memory.
Local only: it is not part of the deployment (API Gateway serves the deployed API).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BACKLOG = 1024  # connections the kernel queues before the pool takes them
WORKERS = 64  # requests handled at once; the rest wait in the backlog
IDLE_SECONDS = 15  # an idle keep-alive connection is closed after this, freeing its worker


class PooledHTTPServer(HTTPServer):
    """An HTTP server with a real backlog whose connections are handled by a bounded thread pool."""

    request_queue_size = BACKLOG
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Any, workers: int = WORKERS) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http")
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # a broken connection ends that connection, not the server
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


def create_server(host: str, port: int, stage: str = "local", workers: int = WORKERS) -> Any:
    """chalice local's server for `stage` (its environment variables applied, app.py loaded), on the pooled server."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes
    from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

    from chalicelib.web_static import ServesTheApp

    class Handler(ServesTheApp, ChaliceRequestHandler):  # the web app under /app/ (web_static.py), the API elsewhere
        timeout = IDLE_SECONDS  # the socket's timeout: an idle keep-alive connection closes

    # as `chalice local` does: the stage's environment variables go into this process's
    # environment before app.py is imported (that import starts the local stack)
    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app_obj = config.chalice_app
    validate_routes(app_obj.routes)
    CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
    app_obj.__class__ = CustomLocalChalice
    return LocalDevServer(
        app_obj, config, host, port, handler_cls=Handler, server_cls=lambda address, handler: PooledHTTPServer(address, handler, workers)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--data", help="keep the state in this folder across restarts (make run: .data)")
    args = parser.parse_args(argv)
    import logging

    from chalicelib import localstack
    from chalicelib.dynamodb_local import DynamoDBLocalUnavailable

    if args.data:
        os.environ[localstack.DATA_ENV] = args.data
    # SIGTERM ends the server as Ctrl-C does, so that DynamoDB Local is stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    # as chalice local does: the handlers' log lines on stdout
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    try:
        server = create_server(args.host, args.port, args.stage, args.workers)
    except (localstack.DataFolderInUse, DynamoDBLocalUnavailable) as refused:  # said in one line, not a traceback
        sys.exit(f"sscard: {refused}")
    print(f"sscard serving on http://{args.host}:{args.port} (stage {args.stage}, {args.workers} workers, backlog {BACKLOG})", flush=True)
    try:
        server.server.serve_forever()
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C, or SIGTERM (above)
        pass
    finally:
        server.server.server_close()
        localstack.stop_started()
    # Out at once: a run parked on a task token, or a keep-alive connection, would hold the exit for
    # a while; what the stack keeps is on disk already (DynamoDB Local stopped, objects written through).
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
