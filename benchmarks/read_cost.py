"""What one `Read` costs the provider process, ours beside the floor.

Run: `python -m benchmarks.read_cost [--reads 1000] [--threads 8] [--rounds 3]`.

`pulumi refresh` is one provider process making one GET per job, so its wall time is that
process's CPU. This drives the SDK's real provider server over gRPC, as the engine does: for
each kind (ours, then `benchmarks.cli_floor.FloorProvider` under its READ_SWITCH, whose `read`
is one raw urllib3 GET), a fresh `python -m pulumi.dynamic` process, configured against the
emulator (no rate limit), warmed up with 20 reads, then `--reads` reads of one job from
`--threads` threads (the engine's default `--parallel` is 8). The CPU is the server process's
own (from /proc), so the driver's cost is not in it. Rounds alternate the kinds; medians, in ms
of CPU per read. The first read of a process is priced apart: it pays what a provider process
pays once (ours: importing `requests` and the model, building the client, fetching a token).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from benchmarks.bench import configured_server
from benchmarks.cli_bench import process_stat
from benchmarks.cli_floor import READ_SWITCH, FloorProvider
from tests.provider.conftest import job_inputs
from tests.provider.grpc_provider import PROVIDER_BLOB, URN, to_struct
from tests.support.emulator import EmulatorProcess

WARM_UP = 20


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of the live process `pid`."""
    stat = process_stat(pid)
    if stat is None:
        raise RuntimeError(f"the provider server (pid {pid}) has exited")
    return stat[1]


def cpu_per_read(
    emulator: EmulatorProcess,
    blob: str,
    job_id: str,
    outs: dict[str, object],
    *,
    reads: int,
    threads: int,
) -> tuple[float, float]:
    """ms of the server process's CPU for its first read, and per read after the warm-up."""
    # The floor's read GETs the job named in bench:readJobs; ours ignores the key and the switch.
    server = configured_server(
        emulator,
        env={READ_SWITCH: "1"},
        **{"bench:readJobs": json.dumps({"client_13": job_id})},
    )
    try:
        request = provider_pb2.ReadRequest(
            id=job_id,
            urn=URN.format(name="job"),
            properties=to_struct({**outs, "__provider": blob}),
        )
        configured = process_cpu(server.process.pid)
        server.stub.Read(request)
        first = (process_cpu(server.process.pid) - configured) * 1000
        for _ in range(WARM_UP):
            server.stub.Read(request)
        before = process_cpu(server.process.pid)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: server.stub.Read(request), range(reads)))
        return first, (process_cpu(server.process.pid) - before) / reads * 1000
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kinds = {"ours": PROVIDER_BLOB, "floor": serialize_provider(FloorProvider())}
    results: dict[str, list[float]] = {kind: [] for kind in kinds}
    firsts: dict[str, list[float]] = {kind: [] for kind in kinds}
    with EmulatorProcess(rate_limit=False) as emulator:
        setup = configured_server(emulator)
        try:
            inputs, failures = setup.check(job_inputs())
            assert not failures, failures
            inputs.pop("__provider", None)
            job_id, outs = setup.create(inputs)
        finally:
            setup.close()
        for round_no in range(args.rounds):
            order = list(kinds) if round_no % 2 == 0 else list(kinds)[::-1]
            for kind in order:
                first, ms = cpu_per_read(
                    emulator, kinds[kind], job_id, outs, reads=args.reads, threads=args.threads
                )
                results[kind].append(ms)
                firsts[kind].append(first)
                print(
                    f"{time.strftime('%H:%M:%S')} round {round_no + 1} {kind:5} {ms:.2f} ms "
                    f"(first read {first:.0f} ms)"
                )
    ours, floor = statistics.median(results["ours"]), statistics.median(results["floor"])
    first_ours, first_floor = statistics.median(firsts["ours"]), statistics.median(firsts["floor"])
    print(
        f"\n{args.reads} reads from {args.threads} threads, medians of {args.rounds}: "
        f"ours {ours:.2f} ms of CPU per read, floor {floor:.2f} ms, {ours / floor:.2f}x "
        f"(+{ours - floor:.2f} ms per read); a process's first read: ours {first_ours:.0f} ms, "
        f"floor {first_floor:.0f} ms"
    )


if __name__ == "__main__":
    main()
