"""The load client of `make load`: N threads, each sending one request after another over
http.client (a new connection per request: gunicorn's sync workers close each one), for a
bounded time; per endpoint the requests, errors and latencies."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.bench.measure import percentile

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class Tally:
    """What one endpoint got over all its slices."""

    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict:
        done = self.latencies_ms or [0.0]
        return {
            "requests": self.requests,
            "errors": self.errors,
            "first_error": self.first_error,
            "req_per_s": round(self.per_second, 1),
            "p50_ms": round(percentile(done, 0.50), 2),
            "p99_ms": round(percentile(done, 0.99), 2),
        }


def send(port: int, request: Request) -> str | None:
    """One request on a new connection; None when it answered 200, else what went wrong."""
    method, path, body, headers = request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return None if response.status == 200 else f"HTTP {response.status} on {path}"
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def _worker(port: int, requests: Callable[[], Request], until: float, tally: Tally, lock):
    while time.perf_counter() < until:
        started = time.perf_counter()
        problem = send(port, requests())
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if problem is None:
                tally.latencies_ms.append(elapsed)
            else:
                tally.errors += 1
                tally.first_error = tally.first_error or problem


def run_slice(port: int, requests: Callable, seconds: float, tally: Tally, connections: int):
    """`connections` threads against one endpoint for `seconds`; adds to the tally."""
    lock = threading.Lock()
    started = time.perf_counter()
    until = started + seconds
    threads = [
        threading.Thread(target=_worker, args=(port, requests, until, tally, lock))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds += time.perf_counter() - started


WARM_UP_SECONDS = 2.0


def alternate(port: int, endpoints: dict[str, Callable], seconds: float, rounds: int, conns: int):
    """Each endpoint for `seconds` in all, in `rounds` slices taken in turn, after a slice of
    each that is not counted (the workers' first requests and a cold database file cache would
    otherwise fall on whichever endpoint comes first)."""
    for requests in endpoints.values():
        run_slice(port, requests, WARM_UP_SECONDS, Tally("warm-up"), conns)
    tallies = {name: Tally(name) for name in endpoints}
    for _ in range(rounds):
        for name, requests in endpoints.items():
            run_slice(port, requests, seconds / rounds, tallies[name], conns)
    return tallies


def cycling(requests: list[Request]) -> Callable[[], Request]:
    """A thread-safe endless round of the given requests."""
    source, lock = itertools.cycle(requests), threading.Lock()

    def following() -> Request:
        with lock:
            return next(source)

    return following


def json_post(path: str, payload: dict, token: str) -> Request:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return ("POST", path, body, headers)
