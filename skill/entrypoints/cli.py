"""The ``backstretch`` command: ``serve`` the skill over HTTP, ``chat`` with it in text, or ``preview`` its screens.

Examples:
    backstretch chat                                         # type what you would say
    backstretch chat "start my morning back stretches" next  # a scripted conversation
    backstretch serve --no-verify --port 5000                # Alexa-style POSTs on 127.0.0.1:5000
    backstretch preview --out preview                        # the Echo Show screens as HTML pages
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from skill.config import Config

# botocore must never look for credentials or a region off this machine in local runs.
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


def _config(args: argparse.Namespace) -> Config:
    env = Config.from_env(os.environ)
    return Config(
        skill_id=env.skill_id,
        data_dir=Path(args.data_dir) if args.data_dir else env.data_dir,
        table=args.table or env.table,
        dynamodb_endpoint=args.dynamodb_endpoint or env.dynamodb_endpoint,
        region=env.region,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    if args.no_verify and not _is_loopback(args.host):
        print(NO_VERIFY_REFUSAL, file=sys.stderr)
        return 2
    from skill.entrypoints import wsgi_server
    from skill.entrypoints.verify import RequestVerifier, https_fetch
    from skill.entrypoints.web import MAX_BODY_BYTES, create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    verifier = None if args.no_verify else RequestVerifier(https_fetch, lambda: datetime.datetime.now(datetime.timezone.utc))
    app = create_app(_config(args), verifier=verifier)
    checks = "OFF" if verifier is None else "on"
    print(f"Back Stretch Coach listening on http://{args.host}:{args.port}/ (signature checks {checks})", flush=True)
    wsgi_server.run(
        app, wsgi_server.options(args.host, args.port, args.workers, args.threads, args.max_connections, args.read_timeout, MAX_BODY_BYTES)
    )
    return 0


def _chat(args: argparse.Namespace) -> int:
    from skill.entrypoints.chat import ChatSession

    logging.basicConfig(level=logging.ERROR)
    session = ChatSession.local(config=_config(args), locale=args.locale)

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


def _preview(args: argparse.Namespace) -> int:
    from skill.screen.preview import write_preview

    written = write_preview(Path(args.out), locale=args.locale)
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

    preview = commands.add_parser("preview", help="write the screens (APL layouts and drawings) as HTML pages")
    preview.add_argument("--out", required=True, help="folder for index.html, one page per screen size and drawings/*.svg")
    preview.add_argument("--locale", default="en-US")
    preview.set_defaults(run=_preview)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in LOCAL_AWS_DEFAULTS.items():
        os.environ.setdefault(name, value)
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
