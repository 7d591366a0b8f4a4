"""`python -m bench [--commits N --changes N --members N --days N] [--quick] [--only ...]`."""

from __future__ import annotations

import argparse
import dataclasses
import time

from bench import env as benv
from bench.sizes import QUICK, Sizes

PARTS = ("exports", "pages", "ingest", "load", "live", "dashboard")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    for name in ("commits", "changes", "members", "days", "page_reps", "workers"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name)
    p.add_argument("--ingest-rows", type=int, dest="ingest_file_rows")
    p.add_argument("--ingest-requests", type=int, dest="ingest_requests")
    p.add_argument("--quick", action="store_true", help="small sizes for a fast run")
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    p.add_argument("--seed-only", action="store_true", help="seed (or check) the teams, stop")
    return p.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    sizes = Sizes(**QUICK) if args.quick else Sizes()
    given = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(Sizes)}
    return dataclasses.replace(sizes, **{k: v for k, v in given.items() if v is not None})


def prepare(sizes: Sizes):
    url = benv.database_url()
    benv.ensure_database(url)
    server_env = benv.server_environment(url)
    benv.setup_django(server_env)
    from django.core.management import call_command

    from bench.context import Context

    call_command("migrate", verbosity=0, interactive=False)
    return Context(url=url, conn=benv.connect(url), sizes=sizes, env=server_env)


def measure(ctx, parts: list[str]) -> dict:
    from bench import dashboard, exports, ingest, live, load, pages
    from bench.server import running_server

    results: dict = {}
    served = (("exports", exports), ("pages", pages), ("ingest", ingest), ("load", load),
              ("live", live))  # fmt: skip
    served = [(name, module) for name, module in served if name in parts]
    if served:
        with running_server(env=ctx.env, workers=ctx.sizes.workers) as server:
            ctx.server = server
            for name, module in served:
                _phase(results, name, module, ctx)
    if "dashboard" in parts:  # in-process: no server needed
        _phase(results, "dashboard", dashboard, ctx)
    return results


def _phase(results: dict, name: str, module, ctx) -> None:
    print(f"measuring {name} ...", flush=True)
    started = time.perf_counter()
    try:
        results[name] = module.run(ctx)
    except (SystemExit, Exception) as exc:  # keep the other parts' figures
        print(f"  {name} FAILED: {exc}", flush=True)
        results.setdefault("errors", {})[name] = str(exc)
    print(f"  {name} done in {time.perf_counter() - started:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = sizes_from(args)
    ctx = prepare(sizes)
    from bench import report
    from bench.context import load_window
    from bench.seed import seed_all
    from teams.models import ApiKey, Team

    print("seeding (or reusing) the teams ...", flush=True)
    seeding = seed_all(ctx)
    if args.seed_only:
        print(f"seeded: {seeding}")
        return
    load_window(ctx)
    key, ctx.read_key = ApiKey.objects.create_key(
        team=Team.objects.get(pk=ctx.team_id), name="bench-read"
    )
    try:
        results = measure(ctx, args.only)
    finally:
        key.delete()
    results |= {"sizes": dataclasses.asdict(sizes), "seeding": seeding,
                "rows": ctx.expected_rows, "user_filter": ctx.user_email}  # fmt: skip
    path = report.write(results, ctx)
    print(report.render(report.table(results)))
    print(f"\nwritten to {path.relative_to(benv.ROOT)}")


if __name__ == "__main__":
    main()
