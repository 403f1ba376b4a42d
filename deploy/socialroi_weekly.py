"""Airflow DAG: the weekly socialroi run.

Runs `socialroi run` for the last complete week every Monday, reads the
exit code and out/<week>/manifest.json, and retries only where a retry can
help:

    0  success                                  -> done
    1  failure (API down, network, lock held)   -> retried (transient)
    2  bad usage or config                      -> fail, no retry
    3  bad data (failed data tests, outputs     -> fail, no retry (fix the data)
       withheld; or a duplicate natural key)
    4  some sources failed, the rest published  -> retried (the source may recover)

Airflow itself is not a dependency of socialroi; copy this file into your
DAGs folder and set the Variables below.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.python import PythonOperator

SOCIALROI = os.environ.get("SOCIALROI_BIN", "/usr/local/bin/socialroi")
CONFIG = os.environ.get("SOCIALROI_CONFIG", "/srv/socialroi/socialroi.yaml")
OUT_DIR = os.environ.get("SOCIALROI_OUT", "/srv/socialroi/out")

RETRYABLE = {1, 4}


def iso_week(data_interval_start: datetime) -> str:
    """The report week: the ISO week of the run's data interval.

    The run that starts Monday 23 Nov 06:00 covers the interval from Monday
    16 Nov 06:00, i.e. ISO week 2026-W47 (16-22 Nov), the last complete week.
    Passing it explicitly (instead of socialroi's default) makes backfills
    and retries report the same week.
    """
    year, week, _ = data_interval_start.isocalendar()
    return f"{year}-W{week:02d}"


def run_socialroi(**context) -> dict:
    week = iso_week(context["data_interval_start"])
    cmd = [SOCIALROI, "run", "--config", CONFIG, "--week", week, "--log-format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    # stdout is a short human summary; stderr carries the JSON log lines.
    print(proc.stdout)
    print(proc.stderr[-20000:])
    code = proc.returncode
    manifest_path = os.path.join(OUT_DIR, week, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    if code == 0:
        return {"week": week, "run_id": manifest.get("run_id"), "status": manifest.get("status")}
    failed = [s["name"] for s in manifest.get("sources", []) if s.get("status") == "failed"]
    message = f"socialroi exited {code} for {week}; failed sources: {failed or 'none'}"
    if code in RETRYABLE:
        raise AirflowException(message)  # Airflow retries
    raise AirflowFailException(message)  # no retry: config or data must be fixed


with DAG(
    dag_id="socialroi_weekly",
    description="Weekly paid-social and attribution report",
    schedule="0 6 * * 1",
    start_date=datetime(2026, 1, 5),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=20), "retry_exponential_backoff": True},
    tags=["marketing", "attribution"],
) as dag:
    PythonOperator(task_id="socialroi_run", python_callable=run_socialroi)
