#!/usr/bin/env python3
"""bench/run's bookkeeping: collect result rows, then print the table and write the files.

  report.py add ROWS.jsonl key=value ...        append one row
  report.py wrk FILE                            wrk --latency output -> JSON figures
  report.py emulate-latency CAPTURE.jsonl       accepted send -> its `sent` webhook at the app
  report.py median-round PEER.. -- OURS..       the round whose ratio is the median, and all
  report.py render ROWS.jsonl MACHINE.json OUT_JSON OUT_MD

A row compares wa-hook with a peer (`ours`, `peer`, `better` = higher|lower, `target` = the
least acceptable ratio, where the ratio is always "how many times better wa-hook is": ours/peer
for rates, peer/ours for times) or with fixed limits (`max_ms`, `max_mb`), or says
`status=not run: why`. Keys starting with `d_` are kept as details.
"""
import json
import re
import sys


def number(text):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def add(rows_path, pairs):
    row = {"details": {}}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key.startswith("d_"):
            row["details"][key[2:]] = number(value)
        else:
            row[key] = number(value) if key not in ("case", "status", "note") else value
    if "status" not in row:
        row["status"] = "ok"
    ours, peer = row.get("ours"), row.get("peer")
    if row["status"] == "ok" and isinstance(ours, (int, float)) and isinstance(peer, (int, float)):
        if row.get("better", "higher") == "higher":
            row["ratio"] = ours / peer if peer else None
        else:
            row["ratio"] = peer / ours if ours else None
        if "target" in row and row["ratio"] is not None:
            row["met"] = row["ratio"] >= row["target"]
    if row["status"] == "ok" and ("max_ms" in row or "max_mb" in row):
        row["met"] = row.get("ms", 0) < row.get("max_ms", float("inf")) and row.get(
            "mb", 0
        ) < row.get("max_mb", float("inf"))
    with open(rows_path, "a") as out:
        out.write(json.dumps(row) + "\n")


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def duration_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * UNIT_MS[match.group(2)] if match else None


def wrk(path):
    text = open(path).read()
    figures = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        figures["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+\w+)", text):
        figures["completed"] = int(m.group(1))
    for pct in ("50", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M):
            figures[f"p{pct}_ms"] = duration_ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    figures["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", text)
    figures["socket_errors"] = m.group(1).strip() if m else "none"
    print(json.dumps(figures))


def rfc3339_s(text):
    """Seconds of an RFC 3339 UTC time with microseconds (`2026-12-07T14:43:20.123456Z`)."""
    from datetime import datetime
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def emulate_latency(path):
    """From an `emulate meta` capture file: for each accepted send (its record's time, taken
    when the request came), when its `sent` status reached the app: the webhook record's time
    (taken before the request went) plus the app's round trip, an upper bound. Prints p50/p99
    in ms, the sends accepted and those whose `sent` webhook is not in the file (dropped or
    not sent by the stop)."""
    accepted, reached = {}, {}
    for line in open(path, "rb"):
        record = json.loads(line)
        if record.get("direction") == "send" and record.get("response_status") == 200:
            answer = json.loads(record.get("answer") or "{}")
            for message in answer.get("messages", []):
                accepted[message["id"]] = rfc3339_s(record["received_at"])
        elif record.get("direction") == "webhook" and record.get("body"):
            at = rfc3339_s(record["received_at"])
            at += ((record.get("forward") or {}).get("latency_ms") or 0) / 1000
            for entry in json.loads(record["body"]).get("entry", []):
                for change in entry.get("changes", []):
                    for status in change.get("value", {}).get("statuses", []):
                        if status.get("status") == "sent":
                            reached.setdefault(status["id"], at)
    latencies = sorted((reached[i] - t) * 1000 for i, t in accepted.items() if i in reached)
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else None
    print(json.dumps({"sends": len(accepted), "without_sent": len(accepted) - len(latencies),
                      "p50_ms": pick(0.50), "p99_ms": pick(0.99)}))


def fmt(value, unit=""):
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if value >= 100:
            text = f"{value:,.0f}"
        elif value >= 10:
            text = f"{value:.1f}"
        else:
            text = f"{value:.2f}"
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    return f"{text} {unit}".strip()


def cells(row):
    unit = row.get("unit", "")
    if row["status"] != "ok":
        reason = row["status"].removeprefix("not run: ")
        return [row["comparison"], row.get("case", ""), "not run", row.get("peer_name", ""),
                fmt(row.get("peer"), unit), "", target_text(row), "", reason]
    if "max_ms" in row or "max_mb" in row:
        ours = f"{fmt(row.get('ms'), 'ms')}, {fmt(row.get('mb'), 'MB')}"
        return [row["comparison"], row["case"], ours, "", "", "", target_text(row),
                met_text(row), row.get("note", "")]
    ratio = row.get("ratio")
    return [row["comparison"], row["case"], fmt(row.get("ours"), unit), row.get("peer_name", ""),
            fmt(row.get("peer"), unit), f"{ratio:.2f}×" if ratio else "", target_text(row),
            met_text(row), row.get("note", "")]


def target_text(row):
    if "target" in row:
        return f"≥ {row['target']:g}×"
    limits = []
    if "max_ms" in row:
        limits.append(f"< {row['max_ms']:g} ms")
    if "max_mb" in row:
        limits.append(f"< {row['max_mb']:g} MB")
    return ", ".join(limits)


def met_text(row):
    if "met" not in row:
        return ""
    return "yes" if row["met"] else "NO"


HEADERS = ["comparison", "case", "wa-hook", "peer", "peer figure", "ratio", "target", "met", "notes"]


def render(rows_path, machine_path, out_json, out_md):
    rows = [json.loads(line) for line in open(rows_path) if line.strip()]
    machine = json.load(open(machine_path))
    table = [HEADERS] + [cells(row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("ratio = how many times better wa-hook is (ours/peer for rates, peer/ours for times)")
    print(machine_line(machine))
    with open(out_json, "w") as out:
        json.dump({"machine": machine, "results": rows}, out, indent=2)
        out.write("\n")
    with open(out_md, "w") as out:
        out.write("| " + " | ".join(HEADERS) + " |\n")
        out.write("|" + "|".join("---" for _ in HEADERS) + "|\n")
        for line in table[1:]:
            out.write("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |\n")
        out.write("\nratio = how many times better wa-hook is (ours/peer for rates, peer/ours "
                  "for times).\n\n" + machine_line(machine) + "\n")


def median_round(args):
    """Rounds that each ran the peer then wa-hook back to back: `PEER_JSON... -- OURS_JSON...`
    (wrk figures, `rps`). Prints the index of the round whose ratio (ours/peer) is the median
    (the lower middle of an even count) and every round's ratio, in run order."""
    split = args.index("--")
    peers = [json.loads(a) for a in args[:split]]
    ours = [json.loads(a) for a in args[split + 1:]]
    ratios = [o["rps"] / p["rps"] if p.get("rps") else 0.0 for p, o in zip(peers, ours)]
    order = sorted(range(len(ratios)), key=lambda i: ratios[i])
    middle = order[(len(order) - 1) // 2]
    print(middle, ", ".join(f"{r:.2f}" for r in ratios))


def machine_line(m):
    return (f"Machine: {m['cpus']} × {m['cpu_model']}, {m['memory']} RAM, {m['os']}; "
            f"{m['date']}; {m['wa_hook']}, {m['rustc']}; load average after the run "
            f"{m.get('load_average_after', '?')}.")


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "add":
        add(rest[0], rest[1:])
    elif command == "wrk":
        wrk(rest[0])
    elif command == "emulate-latency":
        emulate_latency(rest[0])
    elif command == "median-round":
        median_round(rest)
    elif command == "render":
        render(*rest)
    else:
        sys.exit(f"report.py: unknown command {command}")
