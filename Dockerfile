# syntax=docker/dockerfile:1
# QuizBot image: `make docker` (or `docker build -t quizbot .`), then see compose.yaml.
# Two stages: `build` makes a virtualenv (dependencies first, so editing the bot does not
# reinstall them), `runtime` copies it into a clean slim image that runs as a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies layer: only pyproject.toml is copied, its [project] dependencies installed.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
# Source layer. The package is installed in place (editable) because the migrations are
# found beside it (/app/migrations); /app is copied to the same path in the runtime stage.
COPY README.md ./
COPY bot ./bot
COPY migrations ./migrations
COPY content ./content
COPY slack ./slack
RUN pip install --no-deps -e . \
    && python -m compileall -q bot

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    QUIZBOT_DATABASE_PATH=/data/quizbot.db \
    QUIZBOT_CONTENT_DIR=/app/content \
    QUIZBOT_LOG_FORMAT=json
RUN groupadd --system --gid 10001 quizbot \
    && useradd --system --uid 10001 --gid quizbot --home-dir /app --no-create-home --shell /usr/sbin/nologin quizbot \
    && mkdir -p /data \
    && chown quizbot:quizbot /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER quizbot:quizbot
VOLUME ["/data"]
# 3000: Slack HTTP mode (QUIZBOT_SLACK_PORT); 9100: metrics when QUIZBOT_METRICS_PORT=9100.
EXPOSE 3000 9100
# Healthy when the database is migrated, the scheduler's heartbeat is under 3 minutes old
# and every configured adapter reported itself connected.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 CMD ["quizbot", "health"]
STOPSIGNAL SIGTERM
CMD ["quizbot", "run"]
