"""The console script: `intake user add` and a real `intake serve` on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from intake.cli import main


def test_user_add_prints_password_and_token_last(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(
        main, ["user", "add", "Lead@Landlord.example", "--role", "team_lead"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "One-time password" in lines[1]
    assert lines[-1].startswith("itk_")
    again = CliRunner().invoke(main, ["user", "add", "lead@landlord.example", "--role", "admin"])
    assert again.exit_code == 1 and "already an account" in again.output
    bad = CliRunner().invoke(main, ["user", "add", "not-an-email", "--role", "admin"])
    assert bad.exit_code == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_answers_health_and_api_and_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "INTAKE_DATA_DIR": str(tmp_path),
        "INTAKE_HTTP_PORT": str(port),
        "INTAKE_SMTP_PORT": str(free_port()),
        "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "HF_HUB_OFFLINE": "1",
    }
    token = (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "intake.cli",
                "user",
                "add",
                "ops@landlord.example",
                "--role",
                "team_lead",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.3)
        # 503 while the model loads, 200 once it is in memory.
        assert status in (200, 503)
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/messages",
            json={"channel": "phone", "text": "The lift is broken again"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
        # The bundled model loads without any download: health turns 200.
        while time.monotonic() < deadline + 60 and status != 200:
            time.sleep(0.5)
            status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
        assert status == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    # uvicorn stops cleanly on SIGTERM, then lets the signal end the process.
    assert server.returncode in (0, -15), out
    assert "Traceback" not in out.split("Shutting down")[-1]
    assert f"http://127.0.0.1:{port}/" in out
    assert token not in out
