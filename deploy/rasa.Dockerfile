# syntax=docker/dockerfile:1
# A Rasa 3.6 server: Python 3.10 and requirements/rasa.lock (`make rasa-env`), the model trained
# at build time by `make model`, served through bot.rasa_server (which checks the secrets).
# Build from the repository root: docker compose -f deploy/compose.yaml build
FROM python:3.10-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 \
    SHOPSENSE_CACHE=/opt/shopsense \
    SHOPSENSE_STATE=/var/lib/shopsense \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 shopsense \
    && mkdir -p /app /opt/shopsense /var/lib/shopsense \
    && chown shopsense /app /opt/shopsense /var/lib/shopsense
WORKDIR /app
USER shopsense
# The environment first (make hashes files that are not copied yet when it starts: the
# "No such file" lines of this step are harmless).
COPY Makefile ./
COPY scripts/ scripts/
COPY requirements/ requirements/
RUN make rasa-env && ln -s "$(ls -d /opt/shopsense/venvs/rasa-*)" /opt/shopsense/venv
ENV PATH=/opt/shopsense/venv/bin:$PATH
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY data/ data/
# bot.rasa_server, bot.rasa_nlu, bot.rasa_locks and the standard-library parts of insight
COPY bot/ bot/
COPY insight/ insight/
RUN make model
COPY deploy/entrypoint.sh deploy/healthcheck.py deploy/
ENTRYPOINT ["deploy/entrypoint.sh"]
EXPOSE 5005
# --model names the folder `make model` trained into: Rasa serves the model in it.
CMD ["python", "-m", "bot.rasa_server", "run", "--model", "/opt/shopsense/rasa-models", "--enable-api", "--interface", "0.0.0.0", "--port", "5005", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--logging-config-file", "/var/lib/shopsense/logging.json"]
