#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real SMTP server on loopback for TestSmtp: aiosmtpd, configured per test.

Prints "READY <port>" on stdout once it listens on a free port, and runs until
its stdin closes (the test ends or dies) or it gets SIGTERM.

With --maildir DIR every accepted message becomes two files:
  NNNN.eml   the message data exactly as received (after un-dot-stuffing)
  NNNN.json  envelope sender and recipients, MAIL FROM parameters, whether the
             session was encrypted (and how), the AUTH mechanism and login used
and every AUTH attempt, good or bad, is a line "MECHANISM ok|failed" in
DIR/auth.log (never with the password).
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

MECHANISMS = ("PLAIN", "LOGIN")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default 0: a free one; a test restarting a relay gives its old port)")
    parser.add_argument("--tls-cert", help="certificate (PEM) for STARTTLS or --implicit-tls")
    parser.add_argument("--tls-key", help="private key (PEM) for --tls-cert")
    parser.add_argument("--require-starttls", action="store_true", help="refuse commands before STARTTLS")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps), no STARTTLS")
    parser.add_argument("--auth", metavar="USER:PASS", help="require AUTH with these credentials")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN", help="mechanisms to offer (default PLAIN,LOGIN)")
    parser.add_argument("--auth-require-tls", action="store_true", help="offer AUTH only on an encrypted session")
    parser.add_argument("--reply-code", metavar="STAGE:CODE", action="append", default=[],
                        help="answer MAIL, RCPT or DATA with this code instead of accepting, e.g. RCPT:450")
    parser.add_argument("--size", type=int, help="announce and enforce this SIZE limit in bytes")
    parser.add_argument("--inject-after-starttls", action="store_true",
                        help="send a plaintext line right after the STARTTLS 220, as a man in the middle would")
    parser.add_argument("--wire-log", action="store_true",
                        help="record every byte the client sends, as the session decodes it, in DIR/wire.log")
    parser.add_argument("--hang", action="store_true", help="accept connections and never say a word")
    parser.add_argument("--maildir", help="directory to record each message in")
    parser.add_argument("--exit-after", type=int, metavar="N",
                        help="stop dead when a client starts message N+1 (needs --maildir)")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if (args.implicit_tls or args.require_starttls or args.inject_after_starttls) and not args.tls_cert:
        parser.error("--implicit-tls, --require-starttls and --inject-after-starttls need --tls-cert and --tls-key")
    forced = {}
    for item in args.reply_code:
        stage, _, code = item.partition(":")
        stage = stage.upper()
        if stage not in ("MAIL", "RCPT", "DATA") or not code.isdigit() or len(code) != 3:
            parser.error(f"--reply-code {item}: expected MAIL|RCPT|DATA:NNN")
        forced[stage] = int(code)
    args.forced = forced
    mechanisms = [m.strip().upper() for m in args.auth_mechanisms.split(",") if m.strip()]
    for mechanism in mechanisms:
        if mechanism not in MECHANISMS:
            parser.error(f"--auth-mechanisms: unknown mechanism {mechanism}")
    args.mechanisms = mechanisms
    return args


def forced_reply(code, stage):
    kind = "temporarily refused" if code < 500 else "refused"
    enhanced = "4.0.0" if code < 500 else "5.0.0"
    return f"{code} {enhanced} {stage} {kind} by the test server (forced {code})"


class Recorder:
    """The aiosmtpd handler: accepts, or answers with a forced code, and records."""

    def __init__(self, args):
        self.args = args
        self.count = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.args.exit_after is not None and self.count >= self.args.exit_after:
            # A relay that goes away in the middle of a run: the connection
            # drops under the client, and nothing else is accepted.
            os._exit(0)
        if "MAIL" in self.args.forced:
            return forced_reply(self.args.forced["MAIL"], "MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "RCPT" in self.args.forced:
            return forced_reply(self.args.forced["RCPT"], "RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "DATA" in self.args.forced:
            return forced_reply(self.args.forced["DATA"], "DATA")
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "helo": session.host_name,
            "tls": ssl_object is not None,
            "tls_version": ssl_object.version() if ssl_object else None,
            "starttls": session.ssl is not None,
            "auth_mechanism": getattr(session, "rf_mechanism", None),
            "auth_login": session.auth_data.login.decode("utf-8", "replace")
            if isinstance(session.auth_data, LoginPassword) else None,
            "size": len(envelope.original_content),
        }
        if self.args.maildir:
            with self.lock:
                self.count += 1
                stem = os.path.join(self.args.maildir, f"{self.count:04d}")
            # Written under temporary names and renamed, so that a reader
            # never sees half a file; the .json last, as the sign of a message.
            for suffix, payload in ((".eml", envelope.original_content),
                                    (".json", json.dumps(record, indent=1).encode("utf-8"))):
                with open(stem + suffix + ".part", "wb") as f:
                    f.write(payload)
                os.replace(stem + suffix + ".part", stem + suffix)
        return "250 2.0.0 OK queued as test-%04d" % self.count


def make_authenticator(args):
    user, _, password = args.auth.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode("utf-8")
                and auth_data.password == password.encode("utf-8"))
        if good:
            session.rf_mechanism = mechanism
        if args.maildir:
            with open(os.path.join(args.maildir, "auth.log"), "a") as f:
                f.write(f"{mechanism} {'ok' if good else 'failed'}\n")
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=good, handled=False, auth_data=auth_data if good else None)

    return authenticate


class InjectingSMTP(SMTP):
    """Sends an extra line in the clear with its "220 Ready to start TLS": a
    client that keeps it would read it as the first reply under TLS."""

    async def push(self, status):
        if status.startswith("220 Ready to start TLS"):
            status += "\r\n250 2.0.0 injected before the TLS handshake"
        await super().push(status)


class WireLoggingSMTP(SMTP):
    """Appends what the client sends to DIR/wire.log before aiosmtpd reads it:
    a test can then say that a password never crossed the connection."""

    wire_log = None

    def data_received(self, data):
        with open(self.wire_log, "ab") as f:
            f.write(data)
        super().data_received(data)


class FreePortController(Controller):
    """aiosmtpd's Controller on port 0: the port the kernel chose is read back
    from the listening socket before the controller's own first connection."""

    def __init__(self, handler, inject=False, wire_log=None, **kwargs):
        super().__init__(handler, **kwargs)
        self.inject = inject
        self.wire_log = wire_log

    def factory(self):
        if self.wire_log:
            server = WireLoggingSMTP(self.handler, **self.SMTP_kwargs)
            server.wire_log = self.wire_log
            return server
        return (InjectingSMTP if self.inject else SMTP)(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def tls_context(args):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def run_hanging(args):
    """Accepts and holds connections without a greeting."""
    listener = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(16)
    held = []

    def accept_forever():
        while True:
            connection, _ = listener.accept()
            held.append(connection)

    threading.Thread(target=accept_forever, daemon=True).start()
    return listener.getsockname()[1], lambda: listener.close()


def run_smtp(args):
    kwargs = {
        "hostname": args.host,
        "port": args.port,
        "server_hostname": "relay.test",
        "ready_timeout": 30,
        "auth_require_tls": args.auth_require_tls,
        "auth_exclude_mechanism": [m for m in MECHANISMS if not args.auth or m not in args.mechanisms],
    }
    if args.tls_cert and args.implicit_tls:
        kwargs["ssl_context"] = tls_context(args)
    elif args.tls_cert:
        kwargs["tls_context"] = tls_context(args)
        kwargs["require_starttls"] = args.require_starttls
    if args.auth:
        kwargs["authenticator"] = make_authenticator(args)
        kwargs["auth_required"] = True
    if args.size is not None:
        kwargs["data_size_limit"] = args.size
    wire_log = os.path.join(args.maildir, "wire.log") if args.wire_log and args.maildir else None
    controller = FreePortController(Recorder(args), inject=args.inject_after_starttls, wire_log=wire_log, **kwargs)
    controller.start()
    return controller.port, controller.stop


def main():
    args = parse_args()
    # aiosmtpd warns on every connection that AUTH without TLS is unsafe:
    # wanted here, on loopback; its own log says the same at WARNING.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    if args.maildir:
        os.makedirs(args.maildir, exist_ok=True)
    port, stop = run_hanging(args) if args.hang else run_smtp(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {port}", flush=True)
    try:
        # Until the test closes our stdin, or dies and so closes it.
        sys.stdin.buffer.read()
    finally:
        stop()


if __name__ == "__main__":
    main()
