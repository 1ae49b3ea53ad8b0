"""Load test of ``fcr serve`` on loopback: N checks from C concurrent clients, real uvicorn server.

Starts ``python -m checker serve`` on a free port with a throwaway ledger, waits for
``/api/health``, then C threads, each with its own HTTP connection, post documents to
``/api/check`` until N requests are done. Every answer must be 200 and byte-identical to the
answer the same document got alone before the run (so concurrent checks cannot disturb each
other unnoticed). Prints p50 / p95 / max latency, throughput and errors; exit status 1 on any
error. The server is stopped with SIGINT afterwards, as Ctrl+C would.

Documents: by default a tender excerpt (.docx) and a policy draft (.txt) written by this script;
``--docs DIR`` posts every .docx/.pdf/.txt/.md/.ofd file in DIR instead, in turn.

    python benchmarks/serve_load.py [--requests 200] [--clients 8] [--docs DIR] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))   # the live server and the sample .docx writer the tests use
import live_server  # noqa: E402
from sample_report_run import write_tender_docx  # noqa: E402

SUPPORTED = (".docx", ".pdf", ".txt", ".md", ".ofd")

TENDER = [
    ("title", "区图书馆自助借还设备采购项目招标文件"),
    ("heading", "第一章 投标人资格要求"),
    ("p", "1. 投标人应具备履行合同所必需的设备和专业技术能力。"),
    ("p", "2. 投标人须在本区设有常驻售后服务机构，并配备不少于两名专职工程师。"),
    ("p", "3. 投标人注册资本不低于五百万元。"),
    ("heading", "第二章 技术与服务要求"),
    ("p", "自助借还机应支持RFID标签识读，单次识读不少于十册。"),
    ("p", "设备故障报修后四小时内响应，二十四小时内修复或提供备用机。"),
]
SCORING = [
    ("评分项", "分值", "评分细则"),
    ("类似业绩", "10", "投标人近三年在本市承接过图书馆设备项目的，每个得2分，最高10分。"),
    ("售后服务", "10", "根据售后服务方案的完整性、可行性综合评定。"),
]
POLICY = """关于支持本区智能制造企业发展的若干措施（征求意见稿）

第一条 为推动制造业数字化转型，结合本区实际，制定本措施。
第二条 对在本区注册并纳税满三年的企业，购置工业机器人的，按设备投资额的百分之十五给予补助。
第三条 区属国有企业采购智能装备时，同等条件下优先选用区内企业产品。
第四条 外地企业参与本区重点项目建设的，应当在本区设立具有独立法人资格的子公司。
第五条 本措施自发布之日起施行，有效期三年。
"""


def write_samples(folder: Path) -> list[Path]:
    tender = folder / "图书馆设备招标文件.docx"
    write_tender_docx(tender, TENDER, SCORING)
    policy = folder / "智能制造若干措施.txt"
    policy.write_text(POLICY, encoding="utf-8")
    return [tender, policy]


def run_load(base: str, files: list[Path], requests: int, clients: int) -> dict:
    import httpx

    payloads = [(f.name, f.read_bytes()) for f in files]
    with httpx.Client(base_url=base, timeout=120) as c:      # reference answers, one at a time
        expected = []
        for name, data in payloads:
            r = c.post("api/check", files={"file": (name, data)})
            if r.status_code != 200:
                raise SystemExit(f"reference check of {name} failed: {r.status_code} {r.text[:300]}")
            expected.append(r.content)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                name, data = payloads[i % len(payloads)]
                t = time.perf_counter()
                try:
                    r = c.post("api/check", files={"file": (name, data)})
                    ok = r.status_code == 200 and r.content == expected[i % len(payloads)]
                    why = f"{name}: HTTP {r.status_code}" if r.status_code != 200 else f"{name}: answer differs"
                except httpx.HTTPError as e:
                    ok, why = False, f"{name}: {type(e).__name__}: {e}"
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if not ok:
                        errors.append(why)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(latencies), "clients": clients, "documents": [n for n, _ in payloads],
        "errors": len(errors), "error_samples": errors[:5],
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(statistics.quantiles(ms, n=100, method="inclusive")[94], 1) if len(ms) > 1 else round(ms[0], 1),
        "max_ms": round(ms[-1], 1), "seconds": round(wall, 2), "checks_per_second": round(len(ms) / wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--docs", help="post the supported files of this folder instead of the built-in samples")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fcr-serve-load-") as tmp:
        work = Path(tmp)
        if a.docs:
            files = sorted(p for p in Path(a.docs).iterdir() if p.suffix.lower() in SUPPORTED)
            if not files:
                raise SystemExit(f"no supported files in {a.docs}")
        else:
            files = write_samples(work)
        try:
            server = live_server.start(work)
        except RuntimeError as e:
            raise SystemExit(str(e)) from None
        try:
            result = run_load(server.base + "/", files, a.requests, a.clients)
        finally:
            code = live_server.stop(server.proc)
        result["server_exit"] = code
    print(f"fcr serve load test: {result['requests']} checks, {result['clients']} concurrent clients, "
          f"{len(result['documents'])} documents ({', '.join(result['documents'][:4])}"
          f"{' …' if len(result['documents']) > 4 else ''})")
    print(f"  latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms")
    print(f"  {result['checks_per_second']} checks/s over {result['seconds']} s; errors {result['errors']}")
    for e in result["error_samples"]:
        print(f"  error: {e}")
    if a.json:
        print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
