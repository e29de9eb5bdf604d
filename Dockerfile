# Summit production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SUMMIT_VAR_DIR=/var/lib/summit

# WeasyPrint needs Pango and a font; poppler is for PDF checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
      poppler-utils postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app summit \
 && mkdir -p /var/lib/summit/media /var/lib/summit/beat \
 && chown summit /var/lib/summit /var/lib/summit/media /var/lib/summit/beat

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
# Dependencies first, in their own layer, pinned by constraints.txt.
RUN python -c "import subprocess, sys, tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-c', 'constraints.txt', *deps])"
COPY . .
RUN pip install --no-deps -e .
RUN SECRET_KEY=collectstatic-only-not-a-real-key-000000000000000000000 \
    python manage.py collectstatic --noinput -v0

USER summit
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
