#!/usr/bin/env python3
"""Runs the conformance transcripts (*.transcript, this directory) against asana-accessd.

    run_transcripts.py SERVER_BINARY [--only NAME ...] [--dir DIR] [--verbose]

Starts the server once (dev certificates, a fresh data directory, one API token per role,
--max-line-bytes 65536), runs every transcript on a fresh TLS connection, prints one line per
transcript and ends with the line `N passed, M failed`. Exit status 1 when anything failed.

Standard library only (ssl, socket, json). The transcript format is described in README.md.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

#: How long `<`, `<unordered` and `!expect-close` wait, in seconds.
READ_TIMEOUT = 10.0
#: The server's --max-line-bytes; transcripts see it as $MAX_LINE_BYTES.
MAX_LINE_BYTES = 65536
#: Variable name -> (token name, role) of the tokens the runner creates.
TOKENS = {
    "ADMIN_TOKEN": ("conformance-admin", "admin"),
    "OPERATOR_TOKEN": ("conformance-operator", "operator"),
    "READER_TOKEN": ("conformance-reader", "reader"),
}
#: The string patterns that match by kind.
KINDS = ("$any", "$string", "$number", "$null-or-string", "$absent")

_VARIABLE = re.compile(r"\$([A-Z][A-Z0-9_]*)")
_COUNT = re.compile(r"^(\d+|\$[A-Z][A-Z0-9_]*)([+-]\d+)?$")


# ---------------------------------------------------------------------------------------------
# Parsing


class TranscriptSyntaxError(Exception):
    def __init__(self, line, message):
        super().__init__("line %d: %s" % (line, message))
        self.line = line


class Step:
    """One directive. kind is send-text, send-bytes, send-hex, fill, expect, unordered, none,
    half-close, expect-close or sleep."""

    def __init__(self, kind, line, **fields):
        self.kind = kind
        self.line = line
        self.__dict__.update(fields)

    def __repr__(self):
        fields = {k: v for k, v in self.__dict__.items() if k not in ("kind", "line")}
        return "Step(%s@%d %r)" % (self.kind, self.line, fields)


def _reject_constant(name):
    raise ValueError("not strict JSON: %s" % name)


def _unique_members(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("duplicate member name %r" % key)
        seen[key] = value
    return seen


class JSONInteger(int):
    """An integer that remembers its JSON text."""

    def __new__(cls, text):
        value = super().__new__(cls, text)
        value.text = text
        return value


class JSONFraction(float):
    """A number with a fraction or exponent that remembers its JSON text (`1.0`, `1e0`)."""

    def __new__(cls, text):
        value = super().__new__(cls, text)
        value.text = text
        return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_surrogates(value):
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ValueError("lone surrogate in a string")
    elif isinstance(value, list):
        for element in value:
            _reject_surrogates(element)
    elif isinstance(value, dict):
        for key, element in value.items():
            _reject_surrogates(key)
            _reject_surrogates(element)


def strict_loads(text):
    """json.loads without NaN/Infinity, duplicate member names or lone surrogates (\\ud800);
    numbers keep their text."""
    value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_members,
                       parse_int=JSONInteger, parse_float=JSONFraction)
    _reject_surrogates(value)
    return value


def dumps(value):
    """Compact JSON for messages, numbers written as they were received."""
    if isinstance(value, (JSONInteger, JSONFraction)):
        return value.text
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dumps(v) for k, v in sorted(value.items())) + "}"
    return json.dumps(value, ensure_ascii=False)


def _check_pattern(value, line, member=False):
    if isinstance(value, str):
        if value.startswith("$") and not value.startswith("$$"):
            if value not in KINDS:
                raise TranscriptSyntaxError(line, "unknown pattern kind %r (a literal string starting with $ is written $$…)" % value)
            if value == "$absent" and not member:
                raise TranscriptSyntaxError(line, '"$absent" is only allowed as the value of an object member')
    elif isinstance(value, list):
        for element in value:
            _check_pattern(element, line)
    elif isinstance(value, dict):
        for element in value.values():
            _check_pattern(element, line, member=True)


def _parse_pattern(text, line):
    try:
        value = strict_loads(text)
    except ValueError as error:
        raise TranscriptSyntaxError(line, "pattern is not JSON: %s" % error)
    _check_pattern(value, line)
    return value


def _parse_string_literal(text, line):
    text = text.strip()
    try:
        value = strict_loads(text)
    except ValueError as error:
        raise TranscriptSyntaxError(line, "expected a JSON string literal: %s" % error)
    if not isinstance(value, str):
        raise TranscriptSyntaxError(line, "expected a JSON string literal")
    return value


def _parse_milliseconds(text, line):
    if not re.fullmatch(r"\d+", text.strip()):
        raise TranscriptSyntaxError(line, "expected a number of milliseconds")
    return int(text)


def parse_transcript(text):
    """Parses transcript text into a list of Steps. Raises TranscriptSyntaxError."""
    steps = []
    pending = None  # (step, remaining) while reading the lines of <unordered N
    for index, raw in enumerate(text.split("\n")):
        number = index + 1
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.strip(" \t") == "" or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if pending is not None and word != "<":
            raise TranscriptSyntaxError(number, "<unordered %d needs %d more < lines before %s" % (len(pending.patterns) + pending.remaining, pending.remaining, word))
        if word == ">":
            steps.append(Step("send-text", number, text=rest))
        elif word == ">bytes":
            steps.append(Step("send-bytes", number, text=_parse_string_literal(rest, number)))
        elif word == ">hex":
            digits = rest.split()
            if not digits or not all(re.fullmatch(r"[0-9A-Fa-f]{2}", d) for d in digits):
                raise TranscriptSyntaxError(number, "expected hex byte pairs separated by spaces")
            steps.append(Step("send-hex", number, data=bytes(int(d, 16) for d in digits)))
        elif word == ">fill":
            count, _, literal = rest.strip().partition(" ")
            if not _COUNT.match(count):
                raise TranscriptSyntaxError(number, "expected >fill COUNT \"text\" (COUNT: digits or $VARIABLE, optionally +N or -N)")
            unit = _parse_string_literal(literal, number)
            if not unit:
                raise TranscriptSyntaxError(number, ">fill needs a non-empty string")
            steps.append(Step("fill", number, count=count, unit=unit))
        elif word == "<":
            pattern = _parse_pattern(rest, number)
            if pending is not None:
                pending.patterns.append(pattern)
                pending.remaining -= 1
                if pending.remaining == 0:
                    steps.append(pending)
                    pending = None
            else:
                steps.append(Step("expect", number, pattern=pattern))
        elif word == "<unordered":
            count = rest.strip()
            if not re.fullmatch(r"[1-9]\d*", count):
                raise TranscriptSyntaxError(number, "expected <unordered N with N >= 1")
            pending = Step("unordered", number, patterns=[], remaining=int(count))
        elif word == "<none":
            steps.append(Step("none", number, milliseconds=_parse_milliseconds(rest, number)))
        elif word == "!sleep":
            steps.append(Step("sleep", number, milliseconds=_parse_milliseconds(rest, number)))
        elif word in ("!half-close", "!expect-close"):
            if rest.strip():
                raise TranscriptSyntaxError(number, "%s takes no argument" % word)
            steps.append(Step(word[1:], number))
        else:
            raise TranscriptSyntaxError(number, "unknown directive %r" % word)
    if pending is not None:
        raise TranscriptSyntaxError(pending.line, "<unordered %d is missing %d < lines at the end" % (len(pending.patterns) + pending.remaining, pending.remaining))
    return steps


def substitute(text, variables):
    """Replaces $NAME for each known variable; other $ text is left as it is."""
    return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def resolve_count(count, variables):
    match = _COUNT.match(count)
    base, offset = match.group(1), match.group(2)
    if base.startswith("$"):
        if base[1:] not in variables:
            raise ValueError("unknown variable %s" % base)
        value = int(variables[base[1:]])
    else:
        value = int(base)
    return value + (int(offset) if offset else 0)


# ---------------------------------------------------------------------------------------------
# Matching


def _kind_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def match(pattern, actual, path="$"):
    """None when `actual` matches `pattern`, else a description of the first difference."""
    if isinstance(pattern, str) and pattern.startswith("$"):
        if pattern.startswith("$$"):
            pattern = pattern[1:]
        elif pattern == "$any":
            return None
        elif pattern == "$string":
            return None if isinstance(actual, str) else "%s: expected a string, got %s" % (path, dumps(actual))
        elif pattern == "$number":
            return None if _kind_of(actual) == "number" else "%s: expected a number, got %s" % (path, dumps(actual))
        elif pattern == "$null-or-string":
            return None if actual is None or isinstance(actual, str) else "%s: expected null or a string, got %s" % (path, dumps(actual))
    kind = _kind_of(pattern)
    if kind != _kind_of(actual):
        return "%s: expected %s, got %s" % (path, dumps(pattern), dumps(actual))
    if kind == "object":
        for key, expected in sorted(pattern.items()):
            here = "%s.%s" % (path, key)
            if expected == "$absent":
                if key in actual:
                    return "%s: expected no such member, got %s" % (here, dumps(actual[key]))
                continue
            if key not in actual:
                return "%s: missing (expected %s)" % (here, dumps(expected))
            problem = match(expected, actual[key], here)
            if problem:
                return problem
        return None
    if kind == "array":
        if len(pattern) != len(actual):
            return "%s: expected an array of %d elements, got %d" % (path, len(pattern), len(actual))
        for index, (expected, got) in enumerate(zip(pattern, actual)):
            problem = match(expected, got, "%s[%d]" % (path, index))
            if problem:
                return problem
        return None
    if kind == "number" and isinstance(pattern, int) and not isinstance(actual, int):
        # A pattern integer (no fraction, no exponent) asks for exactly that text: 1 is not 1.0.
        return "%s: expected %s, got %s" % (path, dumps(pattern), dumps(actual))
    if pattern != actual:
        return "%s: expected %s, got %s" % (path, dumps(pattern), dumps(actual))
    return None


def assign_unordered(patterns, messages):
    """A perfect matching of messages to patterns (each used once), or None. Bipartite matching
    by augmenting paths, so overlapping patterns ($any) cannot make a valid order fail."""
    fits = [[match(p, m) is None for p in patterns] for m in messages]
    owner = [None] * len(patterns)  # pattern index -> message index

    def augment(message, seen):
        for p in range(len(patterns)):
            if fits[message][p] and p not in seen:
                seen.add(p)
                if owner[p] is None or augment(owner[p], seen):
                    owner[p] = message
                    return True
        return False

    for message in range(len(messages)):
        if not augment(message, set()):
            return None
    return owner


# ---------------------------------------------------------------------------------------------
# TLS connection (memory BIOs, so half-close and timeouts are under our control)


class Closed(Exception):
    pass


class Connection:
    def __init__(self, port, context):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
        self.sock.setblocking(False)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname="127.0.0.1")
        self.buffer = b""
        self.socket_eof = False
        self.eof = None  # None while open; else a description of how it closed
        self.pending_out = b""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush(deadline)
                if not self._receive(deadline):
                    raise Closed("TLS handshake: connection closed or timed out")
        self._flush(deadline)

    def _receive(self, deadline):
        """Moves bytes from the socket into the TLS object; False on timeout or socket EOF."""
        if self.socket_eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        readable, _, _ = select.select([self.sock], [], [], remaining)
        if not readable:
            return False
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError as error:
            self.socket_eof = True
            self.incoming.write_eof()
            self.eof = self.eof or "socket error: %s" % error
            return False
        if not data:
            self.socket_eof = True
            self.incoming.write_eof()
            return False
        self.incoming.write(data)
        return True

    def _flush(self, deadline):
        self.pending_out += self.outgoing.read()
        while self.pending_out:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Closed("timed out sending")
            # Keep reading while writing, so a server blocked on its own writes cannot deadlock us.
            readable, writable, _ = select.select([self.sock], [self.sock], [], remaining)
            if readable:
                self._receive(deadline)
            if writable:
                try:
                    sent = self.sock.send(self.pending_out)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as error:
                    raise Closed("send failed: %s" % error)
                self.pending_out = self.pending_out[sent:]

    def send(self, data):
        deadline = time.monotonic() + READ_TIMEOUT
        if data:
            self.tls.write(data)
        self._flush(deadline)

    def half_close(self):
        """Sends TLS close_notify, then shuts down the TCP sending side; reading goes on."""
        deadline = time.monotonic() + READ_TIMEOUT
        try:
            self.tls.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass  # our close_notify is written; the peer's comes later
        self._flush(deadline)
        self.sock.shutdown(socket.SHUT_WR)

    def next_line(self, timeout):
        """The next line (bytes, without LF), or None on timeout. Raises Closed at end of stream."""
        deadline = time.monotonic() + timeout
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line, self.buffer = self.buffer[:newline], self.buffer[newline + 1:]
                return line
            if self.eof is not None:
                raise Closed(self.eof)
            try:
                data = self.tls.read(65536)
                if data:
                    self.buffer += data
                else:
                    self.eof = "closed (close_notify)"
                continue
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLZeroReturnError:
                self.eof = "closed (close_notify)"
                continue
            except ssl.SSLEOFError:
                self.eof = "closed (TCP EOF without close_notify)"
                continue
            except ssl.SSLError as error:
                self.eof = "closed (TLS error: %s)" % error
                continue
            if not self._receive(deadline):
                if time.monotonic() >= deadline:
                    return None
                # socket EOF: let the TLS object report how it ended

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# Running


class Failure(Exception):
    """A step that stops the transcript: a timeout, the connection ending, bad answer bytes."""

    def __init__(self, line, message):
        super().__init__("line %d: %s" % (line, message))


class Mismatch(Failure):
    """An answer that was read but does not match: recorded, and the transcript goes on."""


class TranscriptFailed(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _decode_answer(line, step):
    if line.endswith(b"\r"):
        raise Failure(step.line, "the server sent a CR before the LF: %r" % line[:200])
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(step.line, "the answer is not UTF-8: %r" % line[:200])
    try:
        return strict_loads(text)
    except ValueError as error:
        raise Failure(step.line, "the answer is not strict JSON (%s): %s" % (error, text[:300]))


def _short(value):
    text = dumps(value)
    return text if len(text) <= 400 else text[:400] + "…"


def run_steps(steps, connect, variables, verbose=False):
    """Runs parsed steps on a connection from connect(). An answer that does not match is recorded
    and the run goes on (the stream is still in step); anything else stops it. Raises
    TranscriptFailed with every problem found."""
    problems = []
    connection = connect()
    try:
        for step in steps:
            if verbose:
                print("    %r" % (step,), file=sys.stderr)
            try:
                _run_step(step, connection, variables, verbose)
            except Mismatch as mismatch:
                problems.append(mismatch)
            except Failure as failure:
                problems.append(failure)
                break
            except Closed as closed:
                problems.append(Failure(step.line, "the connection ended: %s" % closed))
                break
            except OSError as error:
                problems.append(Failure(step.line, "socket error: %s" % error))
                break
    finally:
        connection.close()
    if problems:
        raise TranscriptFailed(problems)


def _read(connection, step, timeout, verbose):
    line = connection.next_line(timeout)
    if line is None:
        raise Failure(step.line, "no answer within %g s" % timeout)
    if verbose:
        print("    <- %s" % line[:300].decode("utf-8", "replace"), file=sys.stderr)
    return _decode_answer(line, step)


def _run_step(step, connection, variables, verbose):
    kind = step.kind
    if kind == "send-text":
        connection.send(substitute(step.text, variables).encode("utf-8") + b"\n")
    elif kind == "send-bytes":
        connection.send(substitute(step.text, variables).encode("utf-8"))
    elif kind == "send-hex":
        connection.send(step.data)
    elif kind == "fill":
        connection.send(substitute(step.unit, variables).encode("utf-8") * resolve_count(step.count, variables))
    elif kind == "sleep":
        time.sleep(step.milliseconds / 1000.0)
    elif kind == "half-close":
        connection.half_close()
    elif kind == "expect":
        message = _read(connection, step, READ_TIMEOUT, verbose)
        problem = match(step.pattern, message)
        if problem:
            raise Mismatch(step.line, "%s\n      answer: %s" % (problem, _short(message)))
    elif kind == "unordered":
        messages = [_read(connection, step, READ_TIMEOUT, verbose) for _ in step.patterns]
        if assign_unordered(step.patterns, messages) is None:
            details = []
            for message in messages:
                if all(match(p, message) is not None for p in step.patterns):
                    details.append("      matches no pattern: %s" % _short(message))
            raise Mismatch(step.line, "the %d answers do not match the %d patterns in any order\n%s" % (len(messages), len(step.patterns), "\n".join(details[:5])))
    elif kind == "none":
        try:
            line = connection.next_line(step.milliseconds / 1000.0)
        except Closed as closed:
            raise Failure(step.line, "expected silence, but the connection ended: %s" % closed)
        if line is not None:
            raise Mismatch(step.line, "expected no line within %d ms, got: %s" % (step.milliseconds, line[:300].decode("utf-8", "replace")))
    elif kind == "expect-close":
        try:
            line = connection.next_line(READ_TIMEOUT)
        except Closed as closed:
            if connection.buffer:
                raise Failure(step.line, "the connection ended after a partial line: %r" % connection.buffer[:200])
            if verbose:
                print("    %s" % closed, file=sys.stderr)
            return
        if line is None:
            raise Failure(step.line, "the connection was not closed within %g s" % READ_TIMEOUT)
        raise Failure(step.line, "expected the connection to close, got: %s" % line[:300].decode("utf-8", "replace"))
    else:
        raise AssertionError(kind)


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """asana-accessd serve in a temporary directory, with one token per role."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.root = tempfile.mkdtemp(prefix="asana-access-conformance-")
        self.certs = os.path.join(self.root, "certs")
        data = os.path.join(self.root, "data")
        self._run("certs", "dev", "--out", self.certs)
        self._run("init", "--data-dir", data)
        self.variables = {"MAX_LINE_BYTES": str(MAX_LINE_BYTES)}
        for variable, (name, role) in TOKENS.items():
            token = self._run("tokens", "create", "--data-dir", data, "--name", name, "--role", role).strip()
            if not token.startswith("aat_"):
                raise RuntimeError("tokens create printed no token: %r" % token)
            self.variables[variable] = token
        self.stdout_path = os.path.join(self.root, "serve.out")
        self.stderr_path = os.path.join(self.root, "serve.err")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--data-dir", data, "--port", "0",
                 "--tls-cert", os.path.join(self.certs, "server.pem"),
                 "--tls-key", os.path.join(self.certs, "server-key.pem"),
                 "--max-line-bytes", str(MAX_LINE_BYTES)],
                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.port = self._wait_for_port()
        self.context = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.pem"))
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2

    def _run(self, *arguments):
        done = subprocess.run([self.binary] + list(arguments), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError("%s %s failed (%d): %s" % (os.path.basename(self.binary), " ".join(arguments[:2]), done.returncode, done.stderr.strip()))
        return done.stdout

    def _wait_for_port(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.stdout_path, "rb") as out:
                first = out.read().split(b"\n")
            if len(first) > 1:
                found = re.search(rb":(\d+)\s*$", first[0])
                if not found:
                    raise RuntimeError("unexpected first line from serve: %r" % first[0])
                return int(found.group(1))
            if self.process.poll() is not None:
                with open(self.stderr_path, "rb") as err:
                    raise RuntimeError("serve exited (%d): %s" % (self.process.returncode, err.read().decode("utf-8", "replace")[-2000:]))
            time.sleep(0.02)
        raise RuntimeError("serve did not announce its port within 30 s")

    def connect(self):
        return Connection(self.port, self.context)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def transcript_paths(directory, only=()):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".transcript"))
    if only:
        wanted = {o[: -len(".transcript")] if o.endswith(".transcript") else o for o in only}
        names = [n for n in names if n[: -len(".transcript")] in wanted]
    return [os.path.join(directory, n) for n in names]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the asana-access conformance transcripts against a server binary.")
    parser.add_argument("server_binary", help="path to asana-accessd")
    parser.add_argument("--dir", default=HERE, help="directory of the .transcript files (default: this script's)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this transcript (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each step and answer to stderr")
    arguments = parser.parse_args(argv)

    paths = transcript_paths(arguments.dir, arguments.only)
    passed = failed = 0
    server = Server(arguments.server_binary)
    try:
        for path in paths:
            name = os.path.basename(path)[: -len(".transcript")]
            started = time.monotonic()
            try:
                with open(path, encoding="utf-8") as handle:
                    steps = parse_transcript(handle.read())
                run_steps(steps, server.connect, server.variables, arguments.verbose)
            except TranscriptFailed as failure:
                failed += 1
                first = str(failure.problems[0]).split("\n")[0]
                count = len(failure.problems)
                print("FAIL %s: %s%s" % (name, first, " (and %d more)" % (count - 1) if count > 1 else ""), flush=True)
                for problem in failure.problems:
                    print("  %s: %s" % (name, problem), file=sys.stderr, flush=True)
                continue
            except (TranscriptSyntaxError, Failure, Closed, OSError, ValueError) as problem:
                failed += 1
                print("FAIL %s: %s" % (name, str(problem).split("\n")[0]), flush=True)
                print("  %s: %s" % (name, problem), file=sys.stderr, flush=True)
                continue
            passed += 1
            print("ok   %s (%d steps, %.1f s)" % (name, len(steps), time.monotonic() - started), flush=True)
    finally:
        server.stop()
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
