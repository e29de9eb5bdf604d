"""Gunicorn settings shared by every way Summit is served (`gunicorn -c config/gunicorn.conf.py`).

Only what every deployment wants: each worker, once started, computes the council-wide figures
in the background before its first reader asks (config/warmup.py). Workers, threads, binding
and timeouts stay on the command line of each deployment. `SUMMIT_WARM_UP=false` turns the
warm-up off.
"""

import os


def post_worker_init(worker) -> None:
    if os.environ.get("SUMMIT_WARM_UP", "true").lower() in {"0", "false", "no", "off"}:
        return
    from config import warmup  # noqa: PLC0415 (read by gunicorn before Django is set up)

    warmup.start()
