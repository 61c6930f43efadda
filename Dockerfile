# The tiergraph API (default) and Celery worker (`tiergraph worker`) image.
# Used by docker-compose.yml; see docs/configuration.md for the settings.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TIERGRAPH_DATA_DIR=/var/lib/tiergraph

WORKDIR /app

# README.m[d]: copied when present (pyproject.toml names it as the readme), no error when absent.
COPY pyproject.toml README.m[d] ./
COPY graph/ graph/
COPY access/ access/
COPY api/ api/
COPY cascade/ cascade/
COPY loaders/ loaders/
COPY tiergraph/ tiergraph/
COPY views/ views/
COPY matching/ matching/
COPY mutations/ mutations/
COPY sharing/ sharing/
COPY remediation/ remediation/
COPY jointlist/ jointlist/
COPY risk/ risk/
COPY exports/ exports/

RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/tiergraph tiergraph \
    && mkdir -p /var/lib/tiergraph/exports /var/lib/tiergraph/cache \
    && chown -R tiergraph:tiergraph /var/lib/tiergraph

USER tiergraph

EXPOSE 8000

CMD ["tiergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
