# syntax=docker/dockerfile:1
# The gateway and the action server, two targets of one image: they run from the same Python 3.11
# environment (requirements/app.lock) and read the same models, so these are built once, with the
# Makefile's own recipes: `make app-env`, `make emotion` (the understanding model), `make faq`.
# The one-shot `migrate` service of compose.yaml runs the `actions` target too.
# Build from the repository root: docker compose -f deploy/compose.yaml build

# The widget's socket.io client comes from npm (`make widget`).
FROM node:20-bookworm AS widget
WORKDIR /src
# make reads every cache path when it starts, so it gets the files those are hashed from.
COPY Makefile package.json package-lock.json config.yml domain.yml ./
COPY scripts/ scripts/
COPY requirements/ requirements/
COPY data/ data/
RUN make widget

FROM python:3.11-slim-bookworm AS app
# torch==2.13.0+cpu in the lock is PyTorch's CPU-only wheel, published on PyTorch's own index
# (the torch on PyPI pulls gigabytes of CUDA libraries).
ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu \
    PIP_NO_CACHE_DIR=1 \
    SHOPSENSE_CACHE=/opt/shopsense \
    SHOPSENSE_STATE=/var/lib/shopsense \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    RASA_TELEMETRY_ENABLED=false
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 shopsense \
    && mkdir -p /opt/shopsense /var/lib/shopsense \
    && chown shopsense /opt/shopsense /var/lib/shopsense
WORKDIR /app
USER shopsense
# The environment first, so that a change to the code does not reinstall it. (make hashes files
# that are not copied yet when it starts: the "No such file" lines of this step are harmless.)
COPY Makefile ./
COPY scripts/ scripts/
COPY requirements/ requirements/
RUN make app-env && ln -s "$(dirname "$(dirname "$(make -s print-python)")")" /opt/shopsense/venv
ENV PATH=/opt/shopsense/venv/bin:$PATH
# What the models are trained and keyed from: the NLU examples, the hand-labelled shopper
# messages, the FAQ (the processes find the models by the same key at run time).
COPY config.yml domain.yml ./
COPY data/ data/
COPY tests/data/emotion/ tests/data/emotion/
COPY knowledge/ knowledge/
COPY insight/ insight/
RUN make emotion faq
COPY bot/ bot/
COPY actions/ actions/
COPY deploy/entrypoint.sh deploy/healthcheck.py deploy/
COPY --from=widget /src/bot/static/vendor/ bot/static/vendor/
ENTRYPOINT ["deploy/entrypoint.sh"]

FROM app AS gateway
EXPOSE 8080
# uvicorn reads X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS (compose.yaml: nginx's).
CMD ["python", "-m", "uvicorn", "bot.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8080", "--no-access-log", "--log-config", "/var/lib/shopsense/logging.json"]

FROM app AS actions
# rasa-sdk binds SANIC_HOST
ENV SANIC_HOST=0.0.0.0
EXPOSE 5055
# The recommender learns from the shop's orders, so it is built when the server starts (cached by
# the data it learns from while the container lives); until a shop has orders, suggestions come
# from the catalogue. A rebuild on a schedule waits for the job queue (issue 14 item 2).
CMD ["sh", "-c", "python -m insight build recommend || echo 'no recommender yet: suggestions come from the catalogue'; exec python -m actions --port 5055 --logging-config_file /var/lib/shopsense/logging.json"]
