"""Command line: ``fcr check``, ``fcr rules list|show|test``, ``fcr negative-list import|show``,
``fcr audit``, ``fcr ledger list|set|stats|export``, ``fcr serve``. Messages are Chinese.

Exit status, like a linter's: 0 no findings, 1 findings, 2 usage error or nothing could be read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .config import Config, find_config, load_config
from .engine import Options
from .errors import ConfigError, FcrError, RulePackError, SchedulerError
from .findings import DocumentResult, RunResult
from .ledger.store import LedgerError
from .negative_list.store import NegativeListError
from .outputs import write_atomic
from .rulebook import CATEGORIES, load_rulebook, rules_version

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a Chinese prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"fcr: 参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fcr", description="fcr：政策措施与招标采购文件公平竞争审查工具（离线）")
    p.add_argument("--version", action="version", version=f"fcr {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    c = sub.add_parser("check", help="检查文件，列出违反公平竞争审查标准的条款")
    c.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹；- 表示标准输入（UTF-8 文本）")
    c.add_argument("--format", default="text", choices=["text", "json", "html", "md", "xlsx", "sarif"],
                   help="输出格式")
    c.add_argument("--annotate", metavar="OUT.docx", help="另存一份带批注的 Word 文件（逐条问题批注在原文处）")
    c.add_argument("--review-form", metavar="OUT.docx", help="生成公平竞争审查结论（草稿）Word 文件")
    c.add_argument("--author", default="fcr", help="批注作者（默认 fcr）")
    c.add_argument("-o", "--output", help="写入文件而非标准输出")
    c.add_argument("--doc-type", default=None, choices=["auto", "policy", "procurement"], help="文件类型")
    c.add_argument("--rules", action="append", default=[], metavar="DIR", help="附加规则目录（可多次）")
    c.add_argument("--no-default-rules", action="store_true", help="不加载内置规则包")
    c.add_argument("--min-severity", choices=["low", "medium", "high"], default=None)
    c.add_argument("--explain", action="store_true", help="说明每条结果的命中依据")
    c.add_argument("--config", help="配置文件 fcr.toml 的路径")
    c.add_argument("--detectors", default="combined", choices=["combined", "rules", "model"],
                   help="检测方式：规则与模型结合（默认）、仅规则、仅模型")

    e = sub.add_parser("eval", help="在标注条款上计算召回率、精确率、F1 和误报率")
    e.add_argument("labelled", nargs="+", metavar="LABELLED.jsonl")
    e.add_argument("--show-errors", type=int, default=0, metavar="N", help="列出至多 N 条漏报和误报")
    e.add_argument("--format", default="text", choices=["text", "json"])
    e.add_argument("--rules", action="append", default=[], metavar="DIR")
    e.add_argument("--min-recall", type=float, default=0.0, help="低于此召回率时退出码为 1")
    e.add_argument("--min-precision", type=float, default=0.0, help="低于此精确率时退出码为 1")
    e.add_argument("--detectors", default="combined", choices=["combined", "rules", "model"])
    e.add_argument("--model-threshold", type=float, default=None, help="模型单独报告的概率阈值（默认：模型自带）")

    t = sub.add_parser("train", help="用 corpora/ 中的标注条款重新训练内置分类模型")
    t.add_argument("--out", help="模型文件路径（默认：覆盖内置模型）")

    r = sub.add_parser("rules", help="列出、查看、测试规则")
    rs = r.add_subparsers(dest="rules_command", parser_class=_Parser)
    rl = rs.add_parser("list", help="列出规则")
    rl.add_argument("--format", default="text", choices=["text", "json"])
    rl.add_argument("--rules", action="append", default=[], metavar="DIR")
    sh = rs.add_parser("show", help="查看一条规则")
    sh.add_argument("rule_id")
    sh.add_argument("--rules", action="append", default=[], metavar="DIR")
    rt = rs.add_parser("test", help="运行规则自带的示例")
    rt.add_argument("dir", nargs="?", help="规则目录（默认：内置规则包）")
    rt.add_argument("-v", "--verbose", action="store_true")

    n = sub.add_parser("negative-list", help="导入或查看市场准入负面清单")
    ns = n.add_subparsers(dest="nl_command", parser_class=_Parser)
    ni = ns.add_parser("import", help="导入官方发布的清单（.xlsx 或 .csv），校验后按版本保存")
    ni.add_argument("file", metavar="FILE")
    ni.add_argument("--version", dest="list_version", metavar="V", help="版本名（默认：文件名中的年份加 sha256 前8位）")
    ni.add_argument("--format", default="text", choices=["text", "json"])
    nw = ns.add_parser("show", help="显示正在使用的清单版本")
    nw.add_argument("--format", default="text", choices=["text", "json"])
    _add_audit_parsers(sub)
    _add_serve_parser(sub)
    return p


def _add_serve_parser(sub) -> None:
    from .ledger.store import DEFAULT_DB

    sv = sub.add_parser("serve", help="启动审查网页（本机浏览器使用）和 JSON 接口")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认只在本机 127.0.0.1；其他地址必须设置 --token）")
    sv.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    sv.add_argument("--db", default=DEFAULT_DB, help=f"台账文件，与 fcr audit 共用（默认 ./{DEFAULT_DB}）")
    sv.add_argument("--token", help="访问令牌（也可用环境变量 FCR_TOKEN）；设置后每个请求都须携带")
    sv.add_argument("--max-upload", type=int, default=50, metavar="MB", help="一次上传的大小上限（默认 50 MB）")


def _add_audit_parsers(sub) -> None:
    from .ledger.store import DEFAULT_DB, FINDING_STATUSES, SETTABLE_STATUSES

    a = sub.add_parser("audit", help="批量审计文件夹，结果写入台账（SQLite），支持增量和断点续跑")
    a.add_argument("dirs", nargs="+", metavar="DIR", help="要审计的文件夹（也可以是单个文件）")
    a.add_argument("--db", default=DEFAULT_DB, help=f"台账文件（默认 ./{DEFAULT_DB}）")
    a.add_argument("--workers", type=int, default=None, metavar="N", help="本机工作进程数（默认：全部 CPU 核）")
    a.add_argument("--include", action="append", default=[], metavar="GLOB",
                   help="只审计匹配的文件（相对所给文件夹的路径，可多次）")
    a.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="跳过匹配的文件（可多次）")
    a.add_argument("--report-dir", metavar="DIR", help="把本次检查的台账（xlsx）和 HTML 报告写到此文件夹")
    a.add_argument("--detectors", default="combined", choices=["combined", "rules", "model"],
                   help="检测方式（默认：规则与模型结合）")
    a.add_argument("--rules", action="append", default=[], metavar="DIR", help="附加规则目录（可多次）")
    a.add_argument("--config", help="配置文件 fcr.toml 的路径（默认：从第一个文件夹向上查找）")
    a.add_argument("--scheduler", metavar="ADDRESS",
                   help="在 Dask 分布式集群上运行（调度器地址如 tcp://10.0.0.5:8786，或 scheduler-file 的 .json 路径）")
    a.add_argument("--send-files", action="store_true",
                   help="把文件内容发送给集群工作节点（默认：工作节点能读到相同路径时直接读取）")

    lg = sub.add_parser("ledger", help="查看和维护审计台账：列出、改状态、统计、导出")
    ls = lg.add_subparsers(dest="ledger_command", parser_class=_Parser)
    statuses = list(FINDING_STATUSES) + ["ok", "error"]
    li = ls.add_parser("list", help="列出台账中的文件和问题")
    li.add_argument("--db", default=DEFAULT_DB, help="台账文件")
    li.add_argument("--status", choices=statuses, help="只列此状态的问题（ok/error：按文件状态）")
    li.add_argument("--path", metavar="GLOB", help="只列路径匹配的文件")
    li.add_argument("--format", default="text", choices=["text", "json", "xlsx"])
    li.add_argument("-o", "--output", help="写入文件而非标准输出")
    se = ls.add_parser("set", help="修改问题状态（逐条记录修改历史）")
    se.add_argument("ids", nargs="+", type=int, metavar="ID", help="问题编号（fcr ledger list 中的 #编号）")
    se.add_argument("--db", default=DEFAULT_DB, help="台账文件")
    se.add_argument("--status", required=True, choices=list(SETTABLE_STATUSES))
    se.add_argument("--note", help="说明；标记 dismissed 时必填")
    se.add_argument("--by", help="操作人（默认：当前用户）")
    se.add_argument("--deadline", metavar="YYYY-MM-DD", help="整改时限")
    se.add_argument("--owner", metavar="UNIT", help="责任单位")
    st = ls.add_parser("stats", help="统计：文件数、问题数、待确认、已销号、整改率")
    st.add_argument("--db", default=DEFAULT_DB, help="台账文件")
    st.add_argument("--by", choices=["folder", "doc_type", "rule"], help="分组方式")
    st.add_argument("--format", default="text", choices=["text", "json"])
    ex = ls.add_parser("export", help="导出整改台账（xlsx），责任单位、整改时限、状态取自台账")
    ex.add_argument("--db", default=DEFAULT_DB, help="台账文件")
    ex.add_argument("--format", default="xlsx", choices=["xlsx"])
    ex.add_argument("-o", "--output", required=True, help="输出文件")
    ex.add_argument("--status", choices=statuses, help="只导出此状态的问题")
    ex.add_argument("--path", metavar="GLOB", help="只导出路径匹配的文件")
    ru = ls.add_parser("runs", help="列出审计运行记录（开始、结束、状态、检查数）")
    ru.add_argument("--db", default=DEFAULT_DB, help="台账文件")
    ru.add_argument("--limit", type=int, default=20, metavar="N", help="最近 N 次（默认 20，0 为全部）")
    ru.add_argument("--format", default="text", choices=["text", "json"])


def _rule_dirs(extra: list[str], config: Config | None, defaults: bool = True) -> list[Path]:
    from .resources import data_path

    dirs = [data_path("rules")] if defaults else []
    if config is not None:
        dirs += list(config.rules)
    dirs += [Path(d) for d in extra]
    return dirs


class ModelUnavailable(FcrError):
    """``--detectors model`` was asked for but the shipped model cannot be loaded."""


def _load_model(detectors: str):
    """The shipped classifier, or None (rules only) with a warning saying why."""
    if detectors == "rules":
        return None
    from . import classifier

    model = classifier.default_model()
    if model is None:
        print(f"fcr: 警告：分类模型不可用，仅使用规则检查（{classifier.default_model_error}）", file=sys.stderr)
        if detectors == "model":
            raise ModelUnavailable(f"--detectors model 需要分类模型：{classifier.default_model_error}")
    return model


def _expand_paths(paths: list[str]) -> list[str]:
    from .ingest import SUPPORTED_EXTENSIONS

    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = sorted(
                str(f) for f in Path(p).rglob("*")
                if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS
            )
            out += found
        else:
            out.append(p)
    return out


def _load_run_config(args) -> Config | None:
    if args.config:
        return load_config(Path(args.config))
    first = next((p for p in args.paths if p != "-"), None)
    found = find_config(Path(first) if first else Path.cwd())
    return load_config(found) if found else None


def cmd_check(args) -> int:
    from .engine_spec import build_analyzer, load_book, spec_from

    spec = spec_from(args, _load_run_config(args))
    book = load_book(spec)
    analyzer = build_analyzer(spec, _load_model(args.detectors), book)
    results: list[DocumentResult] = []
    stdin_used = False
    for path in _expand_paths(args.paths):
        if path == "-":
            if stdin_used:
                results.append(DocumentResult(path="-", status="error", error="标准输入只能读取一次"))
                continue
            stdin_used = True
            results.append(analyzer.check_path("-", sys.stdin.buffer.read()))
        else:
            results.append(analyzer.check_path(path))
    run = RunResult(tuple(results), __version__, rules_version(book))
    from .reports import BINARY_FORMATS, render

    outputs = [o for o in (args.output, args.annotate, args.review_form) if o]
    for out in outputs:
        clash = next((r.path for r in results if _same_file(r.path, out)), None)
        if clash:
            print(f"fcr: 输出文件 {out} 与输入文件 {clash} 相同，已拒绝写入（输入文件不会被修改）", file=sys.stderr)
            return EXIT_ERROR
    if args.format in BINARY_FORMATS and not args.output and sys.stdout.isatty():
        print(f"fcr: {args.format} 是二进制格式，请用 -o 指定输出文件", file=sys.stderr)
        return EXIT_ERROR
    color = args.output is None and args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    report = render(args.format, run, explain=args.explain, color=color)
    data = report if isinstance(report, bytes) else report.encode("utf-8")
    if args.output:
        write_atomic(Path(args.output), data)
    elif isinstance(report, bytes):
        sys.stdout.buffer.write(report)
    else:
        sys.stdout.write(report)
    if args.annotate:
        status = _write_annotated(results, Path(args.annotate), args.author)
        if status != EXIT_OK:
            return status
    if args.review_form:
        from .reports.review_form import render_review_form

        write_atomic(Path(args.review_form), render_review_form(run))
    for r in results:
        if r.status == "error":
            print(f"fcr: {r.path}: {r.error}", file=sys.stderr)
    if results and all(r.status == "error" for r in results):
        return EXIT_ERROR
    return EXIT_FINDINGS if run.findings else EXIT_OK


def _same_file(a: str, b: str) -> bool:
    return a != "-" and os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)


def _write_annotated(results: list[DocumentResult], out: Path, author: str) -> int:
    """The reviewer's own file with a margin comment on each finding (one input document)."""
    readable = [r for r in results if r.status == "ok"]
    if len(readable) != 1:
        print(f"fcr: --annotate 需要恰好一个可读取的输入文件（现有 {len(readable)} 个）", file=sys.stderr)
        return EXIT_ERROR
    from .reports.annotate_docx import annotated_docx

    write_atomic(out, annotated_docx(readable[0], author=author))
    return EXIT_OK


def cmd_rules(args) -> int:
    if args.rules_command == "test":
        return _rules_test(args)
    book = load_rulebook(_rule_dirs(args.rules, None))
    if args.rules_command == "show":
        rule = book.get(args.rule_id)
        if rule is None:
            print(f"fcr: 没有编号为 {args.rule_id} 的规则", file=sys.stderr)
            return EXIT_ERROR
        print(json.dumps(rule.spec.model_dump(by_alias=True), ensure_ascii=False, indent=2))
        return EXIT_OK
    if args.format == "json":
        rows = [
            {
                "id": r.id, "title": r.spec.title, "category": r.spec.category,
                "severity": r.spec.severity, "applies_to": r.spec.applies_to,
                "legal_basis": [b.model_dump() for b in r.spec.legal_basis], "source": r.source,
            }
            for r in book.rules
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in book.rules:
            basis = "；".join(b.label() for b in r.spec.legal_basis)
            print(f"{r.id:<24} {r.spec.severity:<6} {CATEGORIES[r.spec.category]:<10} {r.spec.title}（{basis}）")
        print(f"共 {len(book.rules)} 条规则。")
    return EXIT_OK


def _rules_test(args) -> int:
    from .resources import data_path
    from .ruletest import run_all

    folder = Path(args.dir) if args.dir else data_path("rules")
    book = load_rulebook([folder])
    results = run_all(book)
    failed = [r for r in results if not r.passed]
    for r in failed:
        want = "应命中" if r.kind == "violating" else "不应命中"
        got = "、".join(r.fired) or "未命中"
        print(f"失败 [{r.rule_id}] {want}，实际：{got}：{r.text}")
    if args.verbose:
        for r in results:
            if r.passed:
                print(f"通过 [{r.rule_id}] {r.kind}：{r.text}")
    print(f"{len(book.rules)} 条规则，{len(results)} 个示例：{len(results) - len(failed)} passed, {len(failed)} failed")
    return EXIT_OK if not failed else EXIT_FINDINGS


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_labelled, render_text

    rows = []
    for path in args.labelled:
        try:
            rows += load_labelled(Path(path))
        except FileNotFoundError:
            print(f"fcr: {path}: 文件不存在", file=sys.stderr)
            return EXIT_ERROR
        except ValueError as e:
            print(f"fcr: {e}", file=sys.stderr)
            return EXIT_ERROR
    book = load_rulebook(_rule_dirs(args.rules, None))
    options = Options(detectors=args.detectors, model_threshold=args.model_threshold)
    result = evaluate(rows, book, options, _load_model(args.detectors))
    if args.format == "json":
        record = result.to_record()
        record["misses"] = result.misses[: args.show_errors]
        record["false_alarms"] = result.false_alarms[: args.show_errors]
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(result, args.show_errors))
    m = result.overall.metrics()
    return EXIT_OK if m["recall"] >= args.min_recall and m["precision"] >= args.min_precision else EXIT_FINDINGS


def cmd_train(args) -> int:
    from .classifier import default_model_path
    from .resources import data_path
    from .rulebook import default_rulebook
    from .training import train

    out = Path(args.out) if args.out else default_model_path()
    meta = train(data_path("corpora"), default_rulebook(), out)
    cv = meta["cross_validation"]
    print(f"训练样本 {meta['training_rows']} 条（违规 {meta['violations']}，合规 {meta['compliant']}），"
          f"数据 sha256 {meta['training_data_sha256'][:12]}")
    print(f"分组 {cv['folds']} 折交叉验证：阈值 {cv['threshold']} 时 precision={cv['at_threshold']['precision']:.3f} "
          f"recall={cv['at_threshold']['recall']:.3f}；阈值 0.5 时 precision={cv['at_0.5']['precision']:.3f} "
          f"recall={cv['at_0.5']['recall']:.3f}；类别准确率 {cv['category_accuracy_on_violations']:.3f}")
    print(f"模型已写入 {out}（{out.stat().st_size / 1e6:.1f} MB）")
    return EXIT_OK


def _nl_counts_text(counts: dict) -> str:
    return (f"禁止准入类 {counts['prohibited_items']} 项、许可准入类 {counts['licensed_items']} 项；"
            f"措施 {counts['measures']} 条（禁止 {counts['prohibited_measures']} 条、许可 {counts['licensed_measures']} 条）")


def cmd_negative_list(args) -> int:
    from .negative_list import store
    from .negative_list.licences import default_licences_path, load_licences

    if args.nl_command == "import":
        result = store.import_file(Path(args.file), args.list_version)
        if args.format == "json":
            print(json.dumps({**result.meta, "already_imported": result.already, "current": result.version,
                              "path": str(store.list_root() / result.version)}, ensure_ascii=False, indent=2))
        else:
            head = (f"{args.file} 已导入过（内容相同），未重复保存" if result.already
                    else f"已导入 {args.file}：{_nl_counts_text(result.meta['counts'])}")
            print(f"{head}\n当前使用版本：{result.version}（{store.list_root() / result.version}）")
        return EXIT_OK
    meta = store.current_meta()
    licences = len(load_licences())
    if args.format == "json":
        record = {"version": None, "licences": licences, "licences_path": str(default_licences_path()),
                  "data_dir": str(store.list_root())}
        if meta is not None:
            record |= {k: meta.get(k) for k in ("version", "source", "sha256", "imported_at", "counts")}
        print(json.dumps(record, ensure_ascii=False, indent=2))
    elif meta is None:
        print(f"尚未导入市场准入负面清单（{store.list_root()}）；检测使用内置许可事项表（{licences} 项许可、资质）。"
              f"\n导入：fcr negative-list import 清单文件.xlsx")
    else:
        print(f"当前使用版本：{meta['version']}\n来源文件：{meta['source']}（sha256 {meta['sha256'][:12]}…，"
              f"导入于 {meta['imported_at']}）\n{_nl_counts_text(meta['counts'])}\n"
              f"同时使用内置许可事项表（{licences} 项许可、资质）。")
    return EXIT_OK


def cmd_audit(args) -> int:
    from .engine_spec import load_book, results_version, spec_from
    from .jobs.audit import Progress, discover, run_audit, summary_text, write_reports
    from .ledger import Ledger

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        print("fcr: --workers 至少为 1", file=sys.stderr)
        return EXIT_ERROR
    if args.send_files and not args.scheduler:
        print("fcr: --send-files 只能与 --scheduler 一起使用", file=sys.stderr)
        return EXIT_ERROR
    files, problems = discover(args.dirs, args.include, args.exclude)
    for p in problems:
        print(f"fcr: {p}", file=sys.stderr)
    if not files:
        print("fcr: 没有找到可审计的文件（支持 .docx、.pdf、.txt、.md、.ofd）", file=sys.stderr)
        return EXIT_ERROR
    if args.config:
        config = load_config(Path(args.config))
    else:
        found = find_config(Path(args.dirs[0]))
        config = load_config(found) if found else None
    spec = spec_from(args, config, keep_documents=bool(args.report_dir))
    book = load_book(spec)      # a broken extra rule pack fails here, before any file is checked
    version = results_version(spec, book)
    if args.detectors != "rules":
        _load_model_warning_only()
    with Ledger(args.db) as ledger:
        progress = Progress(len(files))
        summary = run_audit(ledger, files, roots=list(args.dirs), workers=workers, spec=spec,
                            scheduler=args.scheduler, send_files=True if args.send_files else None,
                            collect=bool(args.report_dir), progress=progress, version=version)
        if summary.interrupted and progress.tty:
            progress.close()
        sys.stdout.write(summary_text(summary, args.db))
        if args.report_dir and not summary.interrupted:
            for path in write_reports(summary, args.report_dir, rules_version(book)):
                print(f"  报告：{path}")
    if summary.interrupted:
        return 130
    if summary.errors == summary.files:
        return EXIT_ERROR
    return EXIT_FINDINGS if summary.open else EXIT_OK


def _load_model_warning_only() -> None:
    """Warn (once, here) when the classifier cannot be loaded: workers then check with rules only."""
    from .classifier import default_model_path

    meta = default_model_path().with_suffix(".json")
    if not (meta.is_file() and default_model_path().is_file()):
        print(f"fcr: 警告：分类模型不可用（{default_model_path()}），仅使用规则检查", file=sys.stderr)


def cmd_ledger(args) -> int:
    from .ledger import Ledger
    from .ledger import views

    with Ledger(args.db, create=False) as ledger:
        if args.ledger_command == "set":
            import getpass

            try:
                by = args.by or getpass.getuser()
            except Exception:  # noqa: BLE001 - no user name available
                by = "未署名"
            rows = ledger.set_status(args.ids, args.status, by=by, note=args.note,
                                     deadline=args.deadline, owner=args.owner)
            for r in rows:
                print(f"#{r['id']} {r['path']} {r['rule_id']}：状态改为 {views.STATUS_ZH[r['status']]}（{r['status']}）")
            print(f"已修改 {len(rows)} 条问题，操作人 {by}。")
            return EXIT_OK
        if args.ledger_command == "runs":
            runs = ledger.runs(args.limit or None)
            if args.format == "json":
                print(json.dumps({"runs": [views.run_record(r) for r in runs]}, ensure_ascii=False, indent=2))
            else:
                sys.stdout.write(views.runs_text(runs))
            return EXIT_OK
        if args.ledger_command == "stats":
            rows = ledger.stats(args.by)
            if args.format == "json":
                print(json.dumps({"by": args.by, "groups": rows}, ensure_ascii=False, indent=2))
            else:
                sys.stdout.write(views.stats_text(rows, args.by))
            return EXIT_OK
        fmt = "xlsx" if args.ledger_command == "export" else args.format
        docs, finds = views.selection(ledger, args.status, args.path)
        if fmt == "xlsx":
            if not args.output and sys.stdout.isatty():
                print("fcr: xlsx 是二进制格式，请用 -o 指定输出文件", file=sys.stderr)
                return EXIT_ERROR
            data = views.ledger_xlsx(ledger, docs, finds)
        elif fmt == "json":
            data = views.list_json(docs, finds).encode("utf-8")
        else:
            data = views.list_text(docs, finds).encode("utf-8")
        if args.output:
            write_atomic(Path(args.output), data)
            if args.ledger_command == "export":
                print(f"已导出 {len(finds)} 条问题（{len(docs)} 个文件）到 {args.output}")
        else:
            sys.stdout.buffer.write(data)
        return EXIT_OK


def cmd_serve(args) -> int:
    # Imported here: fastapi and uvicorn load only for ``fcr serve``, never for ``fcr check``.
    from .web.server import serve

    return serve(host=args.host, port=args.port, db=args.db, token=args.token, max_upload_mb=args.max_upload)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "train":
            return cmd_train(args)
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "rules" and args.rules_command:
            return cmd_rules(args)
        if args.command == "negative-list" and args.nl_command:
            return cmd_negative_list(args)
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "ledger" and args.ledger_command:
            return cmd_ledger(args)
        if args.command == "serve":
            return cmd_serve(args)
    except (RulePackError, ConfigError, NegativeListError, ModelUnavailable, LedgerError, SchedulerError) as e:
        print(f"fcr: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    parser.print_help(sys.stderr)
    return EXIT_ERROR
