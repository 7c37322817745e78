# BayBot server image: CPU only, the embedding models and tokenizer files inside pip packages
# (so they are baked into the image), no network needed at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    BAYBOT_HOST=0.0.0.0 \
    BAYBOT_PORT=8000 \
    BAYBOT_INDEX_DIR=/data/index \
    BAYBOT_CORPUS_DIR=/app/corpus \
    BAYBOT_CACHE_DIR=/data/cache

WORKDIR /app
# The CPU build of torch first, or sentence-transformers pulls a multi-GB CUDA build.
RUN pip install torch==2.13.0
COPY pyproject.toml README.md ./
COPY src ./src
COPY corpus ./corpus
RUN pip install . \
    && useradd --create-home --uid 10001 baybot \
    && mkdir -p /data/index /data/cache \
    && chown -R baybot:baybot /data

USER baybot
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import json, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); exit(0 if json.load(r)['status'] == 'ready' else 1)"
CMD ["baybot", "serve"]
