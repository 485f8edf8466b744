#!/usr/bin/env bash
# Make sure the PostgreSQL server binaries the tests start (tests/pg_server.py) are installed.
#
# Found (in $SOFTLIFT_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH):
# nothing to do. Missing, as root on Debian/Ubuntu: install Debian's postgresql package
# (apt-get update only when the package lists are missing or stale). Missing otherwise: one
# line saying how to install it or how to skip the PostgreSQL tests, and exit 1.
# SOFTLIFT_SKIP_POSTGRES=1 skips all of it. `make test` runs this first.
set -euo pipefail

if [[ -n "${SOFTLIFT_SKIP_POSTGRES:-}" && "${SOFTLIFT_SKIP_POSTGRES}" != 0 ]]; then
    exit 0
fi

has_server() { [[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]; }

found() {
    local dir
    if [[ -n "${SOFTLIFT_PG_BINDIR:-}" ]] && has_server "$SOFTLIFT_PG_BINDIR"; then return 0; fi
    if command -v pg_config >/dev/null && has_server "$(pg_config --bindir 2>/dev/null)"; then
        return 0
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        if has_server "$dir"; then return 0; fi
    done
    if command -v initdb >/dev/null && has_server "$(dirname "$(readlink -f "$(command -v initdb)")")"; then
        return 0
    fi
    return 1
}

if found; then
    exit 0
fi

if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    echo "PostgreSQL server binaries not found: install them (Debian/Ubuntu:" \
        "sudo apt-get install --no-install-recommends postgresql), or skip the PostgreSQL" \
        "tests with SOFTLIFT_SKIP_POSTGRES=1 make test" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
install() {
    apt-get install --yes --quiet --no-install-recommends postgresql
}
echo "installing Debian's postgresql package for the tests' PostgreSQL server" >&2
started=$SECONDS
# The lists may be missing (a fresh image) or stale (a 404 on download): then update once.
if ! apt-cache show postgresql >/dev/null 2>&1 || ! install; then
    apt-get update --quiet
    install
fi
if ! found; then
    echo "installed postgresql, but still no initdb/pg_ctl/postgres under /usr/lib/postgresql" >&2
    exit 1
fi
echo "postgresql installed in $((SECONDS - started)) s" >&2
