#!/usr/bin/env bash
# One-command developer / CI entry point for the dangjian project.
#
#   scripts/dev.sh setup   install everything needed (idempotent, quick when already done)
#   scripts/dev.sh demo    setup + migrate + demo data + runserver on 127.0.0.1:8000
#   scripts/dev.sh test    setup + PostgreSQL + pytest on SQLite and on PostgreSQL
#   scripts/dev.sh lint    ruff check + mypy + makemigrations --check
#   scripts/dev.sh smoke   setup + PostgreSQL + the production install served by gunicorn, checked
#
# Target: Debian 12 with Python 3.11. Missing system packages are installed with apt-get
# when running as root; otherwise the script says what to install and stops.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export UV_PYTHON_DOWNLOADS=never
# Where `pip install --user uv` (and the standalone uv installer) put the binary.
if [ -n "${HOME:-}" ]; then
    case ":$PATH:" in
        *":$HOME/.local/bin:"*) ;;
        *) export PATH="$HOME/.local/bin:$PATH" ;;
    esac
fi

PG_HOST=127.0.0.1
PG_PORT=5432
PG_URL="postgres://postgres@${PG_HOST}:${PG_PORT}/dangjian"
VENDOR_DIR=dangjian/static/vendor
NPM_STAMP=node_modules/.dangjian-npm-stamp

# node_modules source path -> destination under $VENDOR_DIR
VENDOR_FILES=(
    "bootstrap/dist/css/bootstrap.min.css:bootstrap/bootstrap.min.css"
    "bootstrap/dist/js/bootstrap.bundle.min.js:bootstrap/bootstrap.bundle.min.js"
    # The minified files end with a sourceMappingURL comment; the production manifest storage
    # rewrites it to the hashed name and refuses to collect a file whose map is missing.
    "bootstrap/dist/css/bootstrap.min.css.map:bootstrap/bootstrap.min.css.map"
    "bootstrap/dist/js/bootstrap.bundle.min.js.map:bootstrap/bootstrap.bundle.min.js.map"
    "htmx.org/dist/htmx.min.js:htmx/htmx.min.js"
    "echarts/dist/echarts.min.js:echarts/echarts.min.js"
)
# Icons are not vendored: scripts/build_icons.py writes the sprite of the icons the pages use
# (dangjian/static/icons.svg, committed) from node_modules/bootstrap-icons/icons/.
# axe-core (package.json devDependencies) is read by the browser tests from node_modules and
# never copied into static files: it is not served to users.

# ---------------------------------------------------------------------------------------
# helpers

if [ -t 2 ]; then
    C_BLUE=$'\033[1;34m' C_YELLOW=$'\033[1;33m' C_RED=$'\033[1;31m' C_OFF=$'\033[0m'
else
    C_BLUE='' C_YELLOW='' C_RED='' C_OFF=''
fi
log() { printf '%s==>%s %s\n' "$C_BLUE" "$C_OFF" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$C_YELLOW" "$C_OFF" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2
    exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
pkg_installed() {
    have dpkg-query && dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

APT_UPDATED=0
apt_install() {
    [ "$#" -gt 0 ] || return 0
    if ! is_root; then
        die "missing system packages: $*
       install them as root, e.g.:  sudo apt-get install -y --no-install-recommends $*
       then re-run: $0 ${SUBCOMMAND:-setup}"
    fi
    have apt-get || die "missing system packages ($*) and apt-get is not available; install them by hand"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        apt-get update -q
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    apt-get install -y -q --no-install-recommends "$@"
}

python_has_pip() {
    local py
    for py in python3.11 python3; do
        have "$py" && "$py" -m pip --version >/dev/null 2>&1 && return 0
    done
    return 1
}

# ---------------------------------------------------------------------------------------
# setup steps

setup_system_packages() {
    local missing=()
    have msgfmt || missing+=(gettext)
    have node || missing+=(nodejs)
    have npm || missing+=(npm)
    have chromium || missing+=(chromium)
    pkg_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
    # WeasyPrint (PDF records and sign-in sheets) renders with Pango; harfbuzz-subset keeps the
    # embedded CJK fonts small and fast.
    local lib
    for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
        pkg_installed "$lib" || missing+=("$lib")
    done
    if ! pkg_installed libpq5 && ! { have ldconfig && ldconfig -p 2>/dev/null | grep -q 'libpq\.so\.5'; }; then
        missing+=(libpq5)
    fi
    # pip is only needed to bootstrap uv
    if ! have uv && ! python_has_pip; then
        missing+=(python3-pip)
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

setup_uv() {
    if have uv; then
        return 0
    fi
    log "installing uv"
    local py
    for py in python3.11 python3; do
        have "$py" || continue
        "$py" -m pip --version >/dev/null 2>&1 || continue
        # --user first; Debian's PEP 668 marker needs --break-system-packages for that;
        # plain install as a last resort (e.g. inside a virtualenv, or root without a home).
        "$py" -m pip install -q --user uv ||
            "$py" -m pip install -q --user --break-system-packages uv ||
            "$py" -m pip install -q uv ||
            "$py" -m pip install -q --break-system-packages uv ||
            continue
        hash -r
        have uv && break
        # pip may have put it in the user base's bin dir that is not ~/.local/bin
        local userbin
        userbin="$("$py" -c 'import site, os; print(os.path.join(site.getuserbase(), "bin"))' 2>/dev/null || true)"
        if [ -n "$userbin" ] && [ -x "$userbin/uv" ]; then
            export PATH="$userbin:$PATH"
            break
        fi
    done
    if ! have uv && have curl; then
        warn "pip could not install uv; trying the standalone installer from astral.sh"
        curl -LsSf https://astral.sh/uv/install.sh | env UV_NO_MODIFY_PATH=1 sh
        hash -r
    fi
    have uv || die "could not install uv; install it (https://docs.astral.sh/uv/) and re-run"
    log "uv: $(command -v uv) ($(uv --version))"
}

setup_python_env() {
    setup_uv
    [ -f uv.lock ] || die "uv.lock is missing; run 'uv lock' and commit it"
    log "uv sync --frozen"
    uv sync --frozen
}

npm_stamp_value() {
    cat package.json package-lock.json | sha256sum | cut -d' ' -f1
}

setup_assets() {
    [ -f package.json ] || die "package.json is missing"
    if [ -f package-lock.json ]; then
        if [ -d node_modules ] && [ -f "$NPM_STAMP" ] && [ "$(cat "$NPM_STAMP")" = "$(npm_stamp_value)" ]; then
            log "node_modules up to date"
        else
            log "npm ci"
            npm ci --no-audit --no-fund
            npm_stamp_value >"$NPM_STAMP"
        fi
    else
        log "npm install (no package-lock.json yet)"
        npm install --no-audit --no-fund
        npm_stamp_value >"$NPM_STAMP"
    fi

    log "copying front-end assets into $VENDOR_DIR/"
    local entry src dst
    for entry in "${VENDOR_FILES[@]}"; do
        src="node_modules/${entry%%:*}"
        dst="$VENDOR_DIR/${entry#*:}"
        [ -f "$src" ] || die "$src not found (package layout changed? check package.json versions)"
        mkdir -p "$(dirname "$dst")"
        cp -p "$src" "$dst"
    done
    # An older setup vendored the icon font; leave no unused copy to be collected and served.
    rm -rf "$VENDOR_DIR/bootstrap-icons"
}

setup_messages() {
    local po mo found=0 stale=0
    while IFS= read -r -d '' po; do
        found=1
        mo="${po%.po}.mo"
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
            stale=1
            break
        fi
    done < <(find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune \
        -o -path '*/locale/*' -name '*.po' -print0)
    if [ "$found" -eq 0 ]; then
        log "no locale/*.po files; skipping compilemessages"
    elif [ "$stale" -eq 0 ]; then
        log "translations up to date"
    else
        log "compilemessages"
        # Run without project settings: compilemessages finds every locale/ dir by walking
        # the tree anyway, and this way setup does not depend on the project importing
        # cleanly (e.g. while models are being edited).
        env -u DJANGO_SETTINGS_MODULE uv run django-admin compilemessages \
            --ignore=.venv --ignore=node_modules
    fi
}

cmd_setup() {
    setup_system_packages
    setup_python_env
    setup_assets
    setup_messages
    mkdir -p var
    log "setup done"
}

# ---------------------------------------------------------------------------------------
# demo

cmd_demo() {
    cmd_setup
    export DANGJIAN_DEMO=1
    log "migrate"
    uv run dangjian migrate --noinput
    log "demo data"
    uv run dangjian demo --scale county --if-empty
    log "collectstatic"
    uv run dangjian collectstatic --noinput >/dev/null
    log "runserver on http://127.0.0.1:8000/"
    exec uv run dangjian runserver 127.0.0.1:8000
}

# ---------------------------------------------------------------------------------------
# test

pg_ready() {
    have pg_isready && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

pg_psql() {
    # psql over TCP as the postgres superuser, as the tests connect
    PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"
}

ensure_postgres() {
    if ! pg_ready; then
        if ! have pg_ctlcluster; then
            log "PostgreSQL is not installed"
            apt_install postgresql
            hash -r
        fi
        is_root || die "PostgreSQL is not running on ${PG_HOST}:${PG_PORT}; start it as root:
       pg_ctlcluster --skip-systemctl-redirect <version> main start"
        local ver
        ver="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | head -1)"
        if [ -z "$ver" ]; then
            # package installed with create_main_cluster = false
            ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -1)"
            [ -n "$ver" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
            log "creating PostgreSQL cluster $ver/main"
            pg_createcluster "$ver" main
        fi
        log "starting PostgreSQL cluster $ver/main"
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
        local _
        for _ in $(seq 1 30); do
            pg_ready && break
            sleep 1
        done
        pg_ready || die "PostgreSQL did not become ready on ${PG_HOST}:${PG_PORT} within 30 s
       (see /var/log/postgresql/postgresql-$ver-main.log)"
    fi
    log "PostgreSQL is ready on ${PG_HOST}:${PG_PORT}"

    have psql || return 0
    # The tests connect as postgres@127.0.0.1 without a password. A stock Debian pg_hba.conf
    # asks for one over TCP: give postgres a password (via the local peer-authenticated
    # socket) and hand it to libpq through PGPASSWORD.
    if ! pg_psql -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
        if [ -z "${PGPASSWORD:-}" ] && is_root && have runuser; then
            log "passwordless TCP login refused; setting password 'postgres' for role postgres"
            runuser -u postgres -- psql -X -q -c "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
            export PGPASSWORD=postgres
        fi
        pg_psql -d postgres -tAc 'SELECT 1' >/dev/null ||
            die "cannot connect as postgres@${PG_HOST}:${PG_PORT} (check pg_hba.conf or set PGPASSWORD)"
    fi
    if [ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'dangjian'")" != "1" ]; then
        log "creating database dangjian"
        pg_psql -d postgres -c 'CREATE DATABASE dangjian' >/dev/null
    fi
}

cmd_test() {
    cmd_setup
    ensure_postgres
    local rc_sqlite=0 rc_pg=0

    printf '\n== SQLite ==\n\n'
    env -u DATABASE_URL uv run pytest -n 2 "$@" || rc_sqlite=$?

    printf '\n== PostgreSQL ==\n\n'
    DATABASE_URL="$PG_URL" uv run pytest -n 2 "$@" || rc_pg=$?

    printf '\n== Summary ==\n'
    printf 'SQLite:     %s\n' "$([ "$rc_sqlite" -eq 0 ] && echo passed || echo "FAILED (exit $rc_sqlite)")"
    printf 'PostgreSQL: %s\n' "$([ "$rc_pg" -eq 0 ] && echo passed || echo "FAILED (exit $rc_pg)")"
    if [ "$rc_sqlite" -ne 0 ] || [ "$rc_pg" -ne 0 ]; then
        exit 1
    fi
}

# ---------------------------------------------------------------------------------------
# smoke

cmd_smoke() {
    cmd_setup
    ensure_postgres
    # scripts/smoke.py: production settings, fresh keys, its own database (dropped and
    # recreated), check --deploy, migrate, collectstatic, the county demo, gunicorn, every
    # persona's pages and API. Bounded by SMOKE_TIMEOUT; gunicorn is stopped whatever happens.
    printf '\n== Production smoke test ==\n\n'
    SMOKE_DATABASE_URL="${SMOKE_DATABASE_URL:-postgres://postgres@${PG_HOST}:${PG_PORT}/dangjian_smoke}" \
        uv run python scripts/smoke.py
}

# ---------------------------------------------------------------------------------------
# lint

cmd_lint() {
    setup_python_env
    local failed=()
    log "ruff check"
    uv run ruff check . || failed+=("ruff check")
    log "mypy"
    uv run mypy dangjian || failed+=(mypy)
    log "makemigrations --check"
    uv run dangjian makemigrations --check --dry-run || failed+=("makemigrations --check")
    log "OpenAPI schema"
    uv run dangjian spectacular --validate --fail-on-warn --file /dev/null || failed+=("spectacular --validate")
    if [ "${#failed[@]}" -gt 0 ]; then
        die "lint failed: ${failed[*]}"
    fi
    log "lint passed"
}

# ---------------------------------------------------------------------------------------

usage() {
    cat <<EOF
usage: $0 <command> [args]

commands:
  setup        install system packages (apt, as root), uv, Python deps (uv sync --frozen),
               npm assets into $VENDOR_DIR/, compile translations; idempotent
  demo         setup, migrate, load the county-scale demo (prints the demo accounts),
               collectstatic, then runserver on http://127.0.0.1:8000/ (DANGJIAN_DEMO=1)
  test [ARGS]  setup, make sure PostgreSQL runs on ${PG_HOST}:${PG_PORT}, then
               'pytest -n 2 ARGS' on SQLite and again on PostgreSQL
  lint         ruff check, mypy, makemigrations --check --dry-run
  smoke        setup, PostgreSQL, then the production install (docs/operations.md) in the
               database dangjian_smoke (dropped and recreated), served by gunicorn, walked
               by every demo persona (scripts/smoke.py)
EOF
}

SUBCOMMAND="${1:-}"
case "$SUBCOMMAND" in
    setup) cmd_setup ;;
    demo) cmd_demo ;;
    test)
        shift
        cmd_test "$@"
        ;;
    lint) cmd_lint ;;
    smoke) cmd_smoke ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
esac
