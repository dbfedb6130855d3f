# The club's service in one container: the web forms on waitress, the scheduler and the daily backup
# (python main.py serve). Everything the service keeps (the state file, backups, workbooks, mail, reports,
# club.yaml and the plan) lives in /data (compose.yaml mounts ./data there). See docs/HOSTING.md. (Not built on the development
# machine, which has no Docker: build and try it once before relying on it.)
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
# The runtime libraries only: requirements.txt lists the test tools after the line "# Tests".
COPY requirements.txt .
RUN sed '/^# Tests/,$d' requirements.txt > /tmp/runtime.txt \
    && pip install -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt

COPY main.py ./
COPY automation ./automation
COPY forms_templates ./forms_templates
COPY examples ./examples

# An unprivileged user owns /data; the service makes every file there readable by this user only.
RUN useradd --system --create-home --uid 10001 club \
    && mkdir /data && chown club:club /data
USER club
VOLUME ["/data"]
EXPOSE 8080

# SIGTERM (docker stop) lets the scheduler finish the action it is running; give it time (compose.yaml).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/', timeout=5)"
CMD ["python", "main.py", "--config", "/data/club.yaml", "serve", "--host", "0.0.0.0", "--port", "8080"]
