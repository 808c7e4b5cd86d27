# One image for all five GovNet services; docker-compose.yml picks the service with
# `govnet serve <name>` (after `govnet migrate <name>`). Build: docker build -t govnet .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GOVNET_VAR_DIR=/var/lib/govnet

# pg_dump/pg_restore 16 for the NGO registry's backups: Debian's own client (15) refuses a
# PostgreSQL 16 server, so take the client from the PostgreSQL project's apt repository.
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
# a regular (non-editable) install: the migrations and templates ship as package data
RUN pip install . && rm -rf /src/build /src/*.egg-info

RUN groupadd --system --gid 10001 govnet \
 && useradd --system --uid 10001 --gid govnet --home-dir /var/lib/govnet --shell /usr/sbin/nologin govnet \
 && mkdir -p /var/lib/govnet \
 && chown govnet:govnet /var/lib/govnet
WORKDIR /var/lib/govnet
USER govnet:govnet

EXPOSE 8000 8101 8102 8103 8104
ENTRYPOINT ["govnet"]
CMD ["serve", "gateway", "--host", "0.0.0.0"]
