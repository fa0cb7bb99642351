"""`draft serve`: start the local web app (facts form, live drafting, review, downloads)."""

from __future__ import annotations

import signal
import socket
from typing import Annotated

import typer

from pipeline.errors import InputError


class _Stopped(Exception):
    """SIGTERM arrived: stop serving."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stopped


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0 picks a free one), or a clear error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host '{host}': cannot resolve it ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on; any but 127.0.0.1/localhost needs the printed token."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 8000,
) -> None:
    """Start the local web app: fill in the facts, generate, review and download the report."""
    import uvicorn

    from pipeline.web import WebSettings, create_app

    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    settings = WebSettings.for_host(host, actual_port)
    app = create_app(settings)
    shown = host if ":" not in host else f"[{host}]"
    if settings.loopback:
        url = f"http://{shown}:{actual_port}/"
    else:
        url = f"http://{shown}:{actual_port}/?token={settings.token}"
    print(f"Draftsmith is running at {url}", flush=True)
    if settings.token:
        print(
            "This address is reachable from other machines: the access token above is required "
            "(keep it private).",
            flush=True,
        )
    print("Press Ctrl-C to stop.", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal: make that
    # a normal stop (exit 0) rather than "interrupted" or death by signal.
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        server.run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    print("Draftsmith stopped.", flush=True)
