"""`intake import` of a generated mbox: messages per second and peak memory, per phase.

Run:  .venv/bin/python bench/bench_import.py [--messages 10000] [--store-only]

Generates an mbox of varied resident emails, then runs the real command twice in child
processes: `intake import --no-triage` (store and queue), then `intake import` (the store
phase finds everything already imported; the pipeline triages the queue with the bundled
model). Prints each phase's rate and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "I reported the leak in my bathroom ceiling twice and nobody came. I am very unhappy.",
    "My kitchen tap is dripping, could someone come and repair it please?",
    "There is black mould in my son's bedroom and he has asthma. Please help.",
    "Thank you for fixing the fence so quickly, the workmen were lovely.",
    "Your contractor left rubbish in my garden after the repair and ignored my calls.",
    "The lift has been broken for three weeks and my mother cannot get out of the flat.",
]


def generate(path: Path, count: int) -> int:
    box = mailbox.mbox(path)
    for index in range(count):
        day = 1 + index % 28
        box.add(
            f"From: Resident {index} <resident{index}@example.org>\n"
            f"To: complaints@landlord.example\nSubject: Message {index}\n"
            f"Message-ID: <import{index}@example.org>\n"
            f"Date: Mon, {day:02d} Sep 2025 10:{index % 60:02d}:00 +0100\n\n"
            f"{TEXTS[index % len(TEXTS)]}\n\nRegards,\nResident {index}\n"
        )
    box.flush()
    box.close()
    return path.stat().st_size


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Seconds, peak RSS in MB and output of one `intake import` child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "intake"), "import", *args, "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    output = child.stdout.read() if child.stdout else ""
    if status != 0:
        raise SystemExit(f"intake import failed:\n{output}")
    return elapsed, usage.ru_maxrss // 1024, output.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--store-only", action="store_true")
    args = parser.parse_args()
    assert resource  # Linux: ru_maxrss is in kilobytes
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "history.mbox"
        size = generate(source, args.messages)
        env = {**os.environ, "INTAKE_DATABASE_URL": f"sqlite:///{tmp}/import.db",
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}  # fmt: skip
        print(f"{args.messages:,} messages, {size / 1e6:.1f} MB mbox")
        seconds, peak, _ = run([str(source), "--no-triage"], env)
        print(f"store and queue:  {args.messages / seconds:7.0f} msg/s "
              f"({seconds:.1f} s), peak memory {peak} MB")  # fmt: skip
        if args.store_only:
            return
        seconds, peak, output = run([str(source)], env)
        print(f"triage (pipeline, bundled model): {args.messages / seconds:7.1f} msg/s "
              f"({seconds:.1f} s), peak memory {peak} MB")  # fmt: skip
        print(output.splitlines()[-2] if output else "")


if __name__ == "__main__":
    sys.exit(main())
