"""The ``backstretch`` command: ``serve`` the skill over HTTP, ``chat`` with it in text, or ``preview`` its screens.

Examples:
    backstretch chat                                         # type what you would say
    backstretch chat "start my morning back stretches" next  # a scripted conversation
    backstretch serve --no-verify --port 5000                # Alexa-style POSTs on 127.0.0.1:5000
    backstretch preview --out preview                        # the screens, as Amazon's renderer draws them
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from skill.config import Config

# A command whose store is on this machine (SQLite, or DynamoDB Local on a loopback address) gets
# these where the environment has none, so botocore never looks for credentials or a region off
# this machine. A command that reaches real DynamoDB gets nothing: it signs with the real chain
# (environment, profile, instance or task role).
LOCAL_AWS_DEFAULTS = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}

NO_VERIFY_REFUSAL = (
    "backstretch serve: refusing to start. --no-verify accepts requests nobody signed, so it is only\n"
    "allowed on a loopback address (127.0.0.1, localhost, ::1), for local testing."
)


# How long a client has to send a whole request (headers and body) once it has connected or, on a
# kept-alive connection, started its next request. A request that is not complete by then is
# answered 408 and the connection closed; no worker thread is held while it arrives.
DEFAULT_READ_TIMEOUT = 10.0


def _config(args: argparse.Namespace, env: Config) -> Config:
    """``env`` (the environment, read once) with the command's store flags applied."""
    data_dir = getattr(args, "data_dir", None)
    return dataclasses.replace(
        env,
        data_dir=Path(data_dir) if data_dir else env.data_dir,
        table=getattr(args, "table", None) or env.table,
        dynamodb_endpoint=getattr(args, "dynamodb_endpoint", None) or env.dynamodb_endpoint,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def store_is_local(config: Config) -> bool:
    """True when ``config``'s store is on this machine: SQLite, or DynamoDB at a loopback endpoint.

    >>> store_is_local(Config()), store_is_local(Config(table="users", dynamodb_endpoint="http://127.0.0.1:8000"))
    (True, True)
    >>> store_is_local(Config(table="users")), store_is_local(Config(table="users", dynamodb_endpoint="https://dynamodb.eu-west-1.amazonaws.com"))
    (False, False)
    """
    if config.table is None:
        return True
    if not config.dynamodb_endpoint:
        return False
    return _is_loopback(urlsplit(config.dynamodb_endpoint).hostname or "")


def _serve(args: argparse.Namespace, config: Config) -> int:
    if args.no_verify and not _is_loopback(args.host):
        print(NO_VERIFY_REFUSAL, file=sys.stderr)
        return 2
    from skill.entrypoints import wsgi_server
    from skill.entrypoints.verify import RequestVerifier, https_fetch
    from skill.entrypoints.web import MAX_BODY_BYTES, create_app

    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    verifier = None if args.no_verify else RequestVerifier(https_fetch, lambda: datetime.datetime.now(datetime.timezone.utc))
    app = create_app(config, verifier=verifier)
    checks = "OFF" if verifier is None else "on"
    print(f"Back Stretch Coach listening on http://{args.host}:{args.port}/ (signature checks {checks})", flush=True)
    wsgi_server.run(
        app, wsgi_server.options(args.host, args.port, args.workers, args.threads, args.max_connections, args.read_timeout, MAX_BODY_BYTES)
    )
    return 0


def _chat(args: argparse.Namespace, config: Config) -> int:
    from skill.entrypoints.chat import ChatSession

    logging.basicConfig(level=logging.ERROR)
    session = ChatSession.local(config=config, locale=args.locale)

    def exchange(text: str, echo: bool) -> bool:
        if echo:
            print(f"You: {text}")
        turn = session.say(text)
        print(f"Alexa: {turn.text}\n")
        return turn.ended

    interactive = sys.stdin.isatty() and not args.no_input
    if interactive:
        print("Back Stretch Coach, text chat. Type what you would say to Alexa; 'exit' ends the session, Ctrl-D quits.\n")
    for text in args.utterances:
        exchange(text, echo=True)
    if not interactive:
        return 0
    if not args.utterances:
        exchange("launch", echo=False)
    while True:
        try:
            text = input("You: ")
        except EOFError:
            session.timeout()
            print()
            return 0
        if exchange(text, echo=False):
            print("(The session has ended. Type anything to start a new one, or Ctrl-D to quit.)\n")


def _preview(args: argparse.Namespace, config: Config) -> int:
    from skill.screen.preview import write_preview

    written = write_preview(Path(args.out), locale=args.locale, stretch_ids=tuple(args.stretch))
    print(f"wrote {len(written)} files; open {written[0]}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="backstretch", description="Back Stretch Coach, run locally.")
    commands = root.add_subparsers(dest="command", required=True)

    def store_flags(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--data-dir", help="folder for the embedded SQLite store (env BACKSTRETCH_DATA_DIR)")
        sub.add_argument("--table", help="use this DynamoDB table instead of SQLite (env BACKSTRETCH_TABLE)")
        sub.add_argument(
            "--dynamodb-endpoint", help="DynamoDB endpoint, e.g. http://127.0.0.1:8000 (env BACKSTRETCH_DYNAMODB_ENDPOINT)"
        )

    serve = commands.add_parser("serve", help="answer Alexa requests over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=8, help="request threads per worker (default 8)")
    serve.add_argument("--max-connections", type=int, default=500, help="open connections per worker (default 500)")
    serve.add_argument(
        "--read-timeout", type=float, default=DEFAULT_READ_TIMEOUT,
        help=f"seconds a client has to send a whole request before it gets a 408 (default {DEFAULT_READ_TIMEOUT:g})",
    )
    serve.add_argument("--no-verify", action="store_true", help="accept requests without Alexa signature checks (loopback hosts only)")
    store_flags(serve)
    serve.set_defaults(run=_serve)

    chat = commands.add_parser("chat", help="talk to the skill by typing")
    chat.add_argument("utterances", nargs="*", help="a scripted conversation, one argument per turn")
    chat.add_argument("--locale", default="en-US")
    chat.add_argument("--no-input", action="store_true", help="run the scripted turns only, even in a terminal")
    store_flags(chat)
    chat.set_defaults(run=_chat)

    preview = commands.add_parser("preview", help="screenshots of the screens from Amazon's APL renderer (needs scripts/setup --test)")
    preview.add_argument("--out", required=True, help="folder for the PNG files and index.html")
    preview.add_argument("--locale", default="en-US")
    preview.add_argument("--stretch", action="append", default=[], help="only this stretch (repeatable); all when left out")
    preview.set_defaults(run=_preview)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config = _config(args, Config.from_env(os.environ))
    if args.command in ("serve", "chat") and store_is_local(config):
        for name, value in LOCAL_AWS_DEFAULTS.items():
            os.environ.setdefault(name, value)
        config = dataclasses.replace(config, region=config.region or LOCAL_AWS_DEFAULTS["AWS_REGION"])
    return int(args.run(args, config))


if __name__ == "__main__":
    sys.exit(main())
