#!/usr/bin/env bash
# Validate compose.yaml with Compose itself: `docker compose config`, else Debian's
# docker-compose, which this installs with apt when run as root and neither is there.
# The required variables get placeholders unless they are set. `make compose-check` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null; then
    compose=(docker-compose)
elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    install() { apt-get install --yes --quiet --no-install-recommends docker-compose; }
    if ! apt-cache show docker-compose >/dev/null 2>&1 || ! install; then
        apt-get update --quiet
        install
    fi
    compose=(docker-compose)
else
    echo "neither 'docker compose' nor docker-compose is installed: install the compose plugin" \
        "or Debian's docker-compose (sudo apt-get install docker-compose)" >&2
    exit 1
fi

TELEGRAM_BOT_TOKEN="${TELEGRAM_BOT_TOKEN:-123456789:placeholder-placeholder-placeholder}" \
SOFTLIFT_WEBHOOK_SECRET="${SOFTLIFT_WEBHOOK_SECRET:-placeholder}" \
SOFTLIFT_DB_PASSWORD="${SOFTLIFT_DB_PASSWORD:-placeholder}" \
SOFTLIFT_PUBLIC_HOST="${SOFTLIFT_PUBLIC_HOST:-bot.example.com}" \
    "${compose[@]}" --file compose.yaml config --quiet
echo "compose.yaml: valid for ${compose[*]}"
