"""Peak RSS of every digest of one clinic, in a fresh process (so nothing the bench loaded
before counts): `python -m tests.bench.digest_memory URL CLINIC_ID YYYY-MM-DD` prints JSON
{"baseline_mb": RSS with the app loaded, "peak_mb": peak RSS once all digests are built}."""

from __future__ import annotations

import json
import sys
from datetime import date

from tests.bench.build import peak_rss_mb
from tests.bench.context import bench_app
from tests.bench.operations import clinic_digests


def main(url: str, clinic_id: str, day: str) -> None:
    app = bench_app(url)
    with app.app_context():
        baseline = peak_rss_mb()
        clinic_digests(int(clinic_id), date.fromisoformat(day))
        print(json.dumps({"baseline_mb": round(baseline, 1), "peak_mb": round(peak_rss_mb(), 1)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
