"""`make bench`: build or reuse the scale database (SQLite; PostgreSQL too when
PRIORAUTH_BENCH_DATABASE_URL is set), then time each operation of issue 12 against its floor
and print the table; the figures go to instance/bench-results.json (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.queries.dashboard import ClinicQueues
from priorauth.services.clock import clinic_now
from tests.bench import context, floors, operations, page_floors, sql_floors
from tests.bench.build import ensure
from tests.bench.measure import Figures, measure
from tests.bench.packet import packet_row
from tests.bench.report import print_table, save
from tests.bench.sizes import ROOT, Sizes, Target, targets

COVERAGE_SAMPLES, RUNWAY_ROUNDS, PAGE_SAMPLES, DIGEST_SAMPLES = 500, 5, 15, 5
CLINIC_FIELDS = (
    "id",
    "name",
    "expiring_days",
    "uncovered_days",
    "appeal_days",
    "upcoming_business_days",
    "digest_items_per_type",
    "follow_up_business_days",
    "renewal_buffer_business_days",
    "escalation_business_days",
    "holiday_country",
    "holiday_subdivision",
)


def coverage_floor():
    """tests/bench/floors.py's one-query answer, called with the samples of the operation:
    (clinic, patient, code, day, dose)."""
    return lambda clinic_id, *question: floors.coverage_floor(*question, clinic_id=clinic_id)


def snapshot(clinic: Clinic) -> SimpleNamespace:
    """The clinic's settings as plain values, for the floors (no session needed)."""
    return SimpleNamespace(**{name: getattr(clinic, name) for name in CLINIC_FIELDS})


def patient_rows(scene: context.Scene) -> list[Figures]:
    runway_samples = [(scene.clinic_id, p) for p in scene.runway_patients] * RUNWAY_ROUNDS
    steps = [operations.patient_runway(*sample) for sample in runway_samples[:20]]
    booked = sum(steps) / max(len(steps), 1)
    return [
        measure(
            "coverage check, in-process",
            operations.coverage_check,
            coverage_floor(),
            scene.checks,
            goal_ms=5,
            goal_ratio=3,
        ),
        measure(
            f"runway ({booked:.0f} booked, mean)",
            operations.patient_runway,
            sql_floors.runway_floor,
            runway_samples,
            goal_ms=20,
        ),
    ]


def page_rows(client, clinic: SimpleNamespace, today) -> list[Figures]:
    samples = [(n,) for n in range(PAGE_SAMPLES)]
    rows = [
        measure(
            "dashboard home",
            lambda _: operations.dashboard_home(client),
            lambda _: page_floors.home_floor(clinic, today),
            samples,
            goal_ms=50,
        )
    ]
    for name in operations.queue_names():
        rows.append(
            measure(
                f"queue page {name}",
                lambda _, name=name: operations.queue_page(client, name),
                lambda _, name=name: page_floors.queue_floor(clinic, today, name),
                samples,
                goal_ms=50,
            )
        )
    return rows


def digest_row(clinic: SimpleNamespace, today) -> Figures:
    return measure(
        "every digest of the clinic",
        lambda _: operations.clinic_digests(clinic.id, today),
        lambda _: page_floors.digests_floor(clinic, today),
        [(n,) for n in range(DIGEST_SAMPLES)],
        goal_ms=2000,
    )


def check_floor_counts(clinic: Clinic, settings: SimpleNamespace, today) -> None:
    """Says whether the floors' queue counts are the dashboard's (they should be)."""
    app_counts = ClinicQueues(clinic, clinic_now(clinic)).counts()
    differ = page_floors.check_counts(settings, today, app_counts)
    print(f"  floor counts {'differ (floor, app): ' + str(differ) if differ else 'agree'}")


def digest_memory(target: Target, clinic_id: int, today) -> dict:
    args = [sys.executable, "-m", "tests.bench.digest_memory", target.url, str(clinic_id)]
    out = subprocess.run([*args, today.isoformat()], cwd=ROOT, capture_output=True, check=True)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def bench_database(target: Target, stamp: dict) -> None:
    app = context.bench_app(target.url)
    with app.app_context():
        clinic = context.largest_clinic()
        scene = context.prepare(clinic, COVERAGE_SAMPLES)
        settings = snapshot(clinic)
        print(f"[{target.label}] measuring clinic {settings.name!r} (id {settings.id})")
        check_floor_counts(clinic, settings, scene.today)
        db.session.close()
        client = context.signed_in(app, *scene.admin)
        rows = patient_rows(scene) + page_rows(client, settings, scene.today)
        rows.append(digest_row(settings, scene.today))
        rows.append(packet_row())
    digests = digest_memory(target, settings.id, scene.today)
    memory = {"generator (at build)": stamp.get("generator_peak_rss_mb")}
    memory["all digests (process)"] = digests["peak_mb"]
    memory["  of which app loaded"] = digests["baseline_mb"]
    print_table(f"{target.label}: {stamp['sizes']}, clinic {settings.name}", rows, memory)
    figures = {"build": stamp, "clinic": vars(settings), "memory_mb": memory}
    save(target.label, {**figures, "operations": [row.as_json() for row in rows]})


def main() -> None:
    sizes = Sizes.from_env()
    for target in targets(sizes):
        bench_database(target, ensure(target, sizes))


if __name__ == "__main__":
    main()
