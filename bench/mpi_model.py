"""The cost model of docs/distributed.md: bytes per query and time per query of the
sharded search at a given rank count, and the time to decode N documents. Plug in
your cluster's numbers; the defaults are the figures measured on the 2-core machine
(docs/performance.md, "Past one machine") and a typical 100 Gb/s InfiniBand link.

Usage: /usr/bin/python3 bench/mpi_model.py [--rows 1e7] [--dim 8192] [--k 5] [--queries 1]
          [--label-bytes 8] [--scan-gbs 10.3] [--batch-scan-gbs 128] [--cores 32]
          [--node-scan-gbs 200] [--latency-us 2] [--link-gbs 12] [--ranks 16,256,4096]
          [--documents 1e9] [--decode-rate 8000] [--doc-dim 4096] [--nodes 16] [--fs-gbs 10]

Search (one rank per node, all its cores): per batch of Q queries every rank receives
the broadcast Q*D/8 bytes and the merge's (P-1)*Q*k*(48 + label) bytes (48-byte
candidate records, then the label bytes), over 5 collectives of ~log2(P) latency
steps each (shape, queries, error agreement, candidates, labels). Scan: M*D/8/P bytes
per query at the node's rate (min(cores * per-core rate, memory bandwidth) for single
queries; batches reuse rows from cache at the batch rate per core).
Decode: N documents at decode-rate documents/s per core on nodes*cores cores, against
the shared file system's bandwidth for the vectors (D/8 bytes), documents (~200 B),
output (~254 B, written twice and read once through the checkpoints).
"""
import argparse
import math


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a = p.add_argument
    a("--rows", type=float, default=1e7)
    a("--dim", type=int, default=8192)
    a("--k", type=int, default=5)
    a("--queries", type=int, default=1, help="queries per search call (a batch)")
    a("--label-bytes", type=float, default=8)
    a("--scan-gbs", type=float, default=10.3, help="one-query scan, GB/s per core")
    a("--batch-scan-gbs", type=float, default=128, help="batched scan (64 queries), GB/s-equivalent per core")
    a("--cores", type=int, default=32, help="cores per node (= per rank)")
    a("--node-scan-gbs", type=float, default=200, help="memory bandwidth per node, GB/s")
    a("--latency-us", type=float, default=2.0)
    a("--link-gbs", type=float, default=12.0)
    a("--ranks", default="16,256,4096")
    a("--documents", type=float, default=1e9)
    a("--decode-rate", type=float, default=8000, help="documents/s per core")
    a("--doc-dim", type=int, default=4096, help="D of the decoded document vectors (packbits)")
    a("--nodes", type=int, default=16)
    a("--fs-gbs", type=float, default=10.0)
    o = p.parse_args()

    q, d, k = o.queries, o.dim, o.k
    per_core = o.scan_gbs if q == 1 else o.batch_scan_gbs
    node_rate = min(o.cores * per_core, o.node_scan_gbs if q == 1 else math.inf) * 1e9
    print(f"search: M = {o.rows:.0e} rows, D = {d}, k = {k}, {q} quer{'y' if q == 1 else 'ies'} per call, "
          f"{o.cores} cores per rank")
    print("| ranks | bytes received per rank per query | of which merge | comm µs per call | "
          "scan µs per call | comm / scan |")
    print("|---|---|---|---|---|---|")
    def costs(ranks):
        merge = (ranks - 1) * k * (48 + o.label_bytes)
        received = d / 8 + merge
        comm = 5 * math.ceil(math.log2(max(ranks, 2))) * o.latency_us + q * received / (o.link_gbs * 1e3)
        scan = q * o.rows * d / 8 / ranks / node_rate * 1e6
        return received, merge, comm, scan
    for ranks in (int(r) for r in o.ranks.split(",")):
        received, merge, comm, scan = costs(ranks)
        print(f"| {ranks} | {received:,.0f} | {merge:,.0f} | {comm:,.1f} | {scan:,.1f} | {comm / scan:.2f} |")
    crossover = next((r for r in range(1, 1 << 20) if costs(r)[2] >= costs(r)[3]), None)
    print(f"communication overtakes the scan at {crossover} ranks" if crossover else "the scan always dominates")
    cores = o.nodes * o.cores
    compute = o.documents / (cores * o.decode_rate)
    io_bytes = o.documents * (o.doc_dim / 8 + 200 + 3 * 254)
    io = io_bytes / (o.fs_gbs * 1e9)
    print(f"decode: {o.documents:.0e} documents on {o.nodes} nodes x {o.cores} cores at {o.decode_rate:,.0f} "
          f"documents/s per core: compute {compute / 60:.1f} min; file system {io_bytes / 1e12:.2f} TB at "
          f"{o.fs_gbs} GB/s: {io / 60:.1f} min; the larger bounds the run")


main()
