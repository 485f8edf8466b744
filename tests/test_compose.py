"""compose.yaml and its proxy's configuration, checked without a Docker engine.

The file is interpolated as Compose does and validated against the Compose specification's
JSON schema (tests/fixtures/compose-spec/, the schema `docker compose config` uses); then what the
schema cannot know: the bots get the settings bot/config.py reads, the database URL matches the
db service, and deploy/nginx/default.conf.template forwards the webhook path, with the secret,
to exactly the bot services. `nginx -t` and `docker compose config` run when installed
(`make compose-check` installs Debian's docker-compose for the latter).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
SCHEMA = Path(__file__).parent / "fixtures" / "compose-spec" / "compose-spec.json"
CONFIG_SOURCE = ROOT / "bot" / "config.py"

# What an operator exports before `docker compose up` (README, "Several instances").
SAMPLE_ENV = {
    "TELEGRAM_BOT_TOKEN": "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "SOFTLIFT_WEBHOOK_SECRET": "webhook-secret_0123",
    "SOFTLIFT_DB_PASSWORD": "dbpassword0123",
    "SOFTLIFT_PUBLIC_HOST": "bot.example.com",
}
SECRETS = {"TELEGRAM_BOT_TOKEN", "SOFTLIFT_WEBHOOK_SECRET", "POSTGRES_PASSWORD"}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt},
# ${NAME+alt}, $NAME and $$ (a literal $): Compose's interpolation.
VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    """A ${NAME:?message} whose variable is not set."""


def interpolate_text(text: str, env: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"] or "", match["arg"] or ""
        value = env.get(name)
        present = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("-"):
            return value if present and value is not None else arg
        if op.endswith("?"):
            if not present or value is None:
                raise MissingVariable(f"{name}: {arg}")
            return value
        if op.endswith("+"):
            return arg if present else ""
        return value or ""

    return VARIABLE.sub(replace, text)


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    """The document with every string value interpolated (keys are left alone, as Compose does)."""
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    if isinstance(node, str):
        return interpolate_text(node, env)
    return node


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return [node] if isinstance(node, str) else []


RAW: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
COMPOSED: dict[str, Any] = interpolate(RAW, SAMPLE_ENV)
SERVICES: dict[str, Any] = COMPOSED["services"]
BOTS = sorted(name for name, service in SERVICES.items() if "build" in service)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (Compose allows a list of NAME=value too)."""
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def proxy_template() -> tuple[Path, str]:
    """The proxy's template file in the repository, and where the service mounts it."""
    for volume in SERVICES["proxy"]["volumes"]:
        source, target = volume.split(":")[:2]
        if target.startswith("/etc/nginx/templates/"):
            return ROOT / source, target
    raise AssertionError("the proxy mounts no template under /etc/nginx/templates/")


NGINX_TEMPLATE = proxy_template()[0].read_text(encoding="utf-8")


def test_the_file_follows_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(COMPOSED)
    ]
    assert errors == []


def test_the_schema_check_catches_a_misspelt_key() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**COMPOSED, "services": {**SERVICES, "db": {**SERVICES["db"], "helthcheck": {}}}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_the_services_are_a_database_two_bots_and_a_proxy() -> None:
    assert sorted(SERVICES) == ["bot1", "bot2", "db", "proxy"]
    assert BOTS == ["bot1", "bot2"]


def test_the_secrets_must_be_given_and_are_never_written_down() -> None:
    required = {
        match["name"]
        for text in strings(RAW)
        for match in VARIABLE.finditer(text)
        if (match["op"] or "").endswith("?")
    }
    assert required == set(SAMPLE_ENV)
    for name in SAMPLE_ENV:
        env = {key: value for key, value in SAMPLE_ENV.items() if key != name}
        with pytest.raises(MissingVariable, match=name):
            interpolate(RAW, env)
        with pytest.raises(MissingVariable, match=name):
            interpolate(RAW, {**env, name: ""})
    for service in RAW["services"].values():
        for key, value in environment(service).items():
            if key in SECRETS:
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), f"{key} is written down"


def test_both_bots_run_the_same_image_in_webhook_mode() -> None:
    first, second = (SERVICES[name] for name in BOTS)
    assert first == second, "the two bot services differ"
    env = environment(first)
    assert env["SOFTLIFT_WEBHOOK_URL"].startswith("https://")
    assert env["SOFTLIFT_WEBHOOK_SECRET"] == SAMPLE_ENV["SOFTLIFT_WEBHOOK_SECRET"]
    assert env["SOFTLIFT_WEBHOOK_LISTEN"] == "0.0.0.0"
    assert first["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in first, "the bots are reached through the proxy only"


def test_the_bots_set_only_settings_the_bot_reads_and_they_are_valid() -> None:
    known = set(re.findall(r"\bget\(\"([A-Z][A-Z0-9_]+)\"", CONFIG_SOURCE.read_text("utf-8")))
    assert {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "SOFTLIFT_WEBHOOK_URL"} <= known
    for name in BOTS:
        env = environment(SERVICES[name])
        assert set(env) <= known, f"{name} sets {sorted(set(env) - known)}, which nothing reads"
        settings = Settings.from_env(env)
        assert settings.database_url.startswith("postgresql://")
        assert settings.webhook_url is not None
        assert settings.webhook_secret == SAMPLE_ENV["SOFTLIFT_WEBHOOK_SECRET"]


def test_the_database_url_names_the_db_service_and_its_credentials() -> None:
    db = environment(SERVICES["db"])
    for name in BOTS:
        url = urlsplit(environment(SERVICES[name])["DATABASE_URL"])
        assert url.scheme == "postgresql"
        assert (url.hostname, url.port or 5432) == ("db", 5432)
        assert url.username == db["POSTGRES_USER"]
        assert url.password == db["POSTGRES_PASSWORD"] == SAMPLE_ENV["SOFTLIFT_DB_PASSWORD"]
        assert url.path == f"/{db['POSTGRES_DB']}"


def test_the_database_keeps_its_data_and_reports_when_it_is_ready() -> None:
    db = SERVICES["db"]
    assert re.fullmatch(r"postgres:\d+(\.\d+)?(-[a-z0-9]+)?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, target = db["volumes"][0].split(":")[:2]
    assert target == "/var/lib/postgresql/data"
    assert volume in COMPOSED["volumes"]


def nginx_upstream_servers() -> set[tuple[str, int]]:
    (block,) = re.findall(
        r"^upstream\s+(\w+)\s*\{(.*?)\}", NGINX_TEMPLATE, re.DOTALL | re.MULTILINE
    )
    return {
        (host, int(port))
        for host, port in re.findall(r"^\s*server\s+([\w.-]+):(\d+)", block[1], re.MULTILINE)
    }


def test_the_proxy_spreads_the_webhook_path_over_exactly_the_bots() -> None:
    env = environment(SERVICES[BOTS[0]])
    port = int(env["SOFTLIFT_WEBHOOK_PORT"])
    assert nginx_upstream_servers() == {(name, port) for name in BOTS}
    (upstream,) = re.findall(r"^upstream\s+(\w+)", NGINX_TEMPLATE, re.MULTILINE)
    path = urlsplit(env["SOFTLIFT_WEBHOOK_URL"]).path
    location = re.search(
        rf"location\s*=\s*{re.escape(path)}\s*\{{(.*?)\n    \}}", NGINX_TEMPLATE, re.DOTALL
    )
    assert location, f"no `location = {path}` for the webhook path"
    body = location[1]
    assert f"proxy_pass http://{upstream};" in body
    assert re.search(
        r"proxy_set_header\s+X-Telegram-Bot-Api-Secret-Token\s+"
        r"\$http_x_telegram_bot_api_secret_token;",
        body,
    ), "the secret header is not passed on"
    assert "client_max_body_size 1m;" in NGINX_TEMPLATE
    assert sorted(SERVICES["proxy"]["depends_on"]) == BOTS


def test_the_proxy_checks_the_same_secret_as_the_bots() -> None:
    proxy_env = environment(SERVICES["proxy"])
    named = set(re.findall(r"\$\{([A-Z_]+)\}", NGINX_TEMPLATE))
    assert named == {"SOFTLIFT_WEBHOOK_SECRET"}
    assert named <= set(proxy_env), "the template names variables the proxy does not get"
    bot_secret = environment(SERVICES[BOTS[0]])["SOFTLIFT_WEBHOOK_SECRET"]
    assert proxy_env["SOFTLIFT_WEBHOOK_SECRET"] == bot_secret
    _, target = proxy_template()
    assert target.endswith(".conf.template")


def envsubst(text: str, env: Mapping[str, str]) -> str:
    """What the nginx image does to a template: $NAME and ${NAME} of the given variables only."""
    names = "|".join(map(re.escape, env))
    return re.sub(rf"\$\{{({names})\}}|\$({names})\b", lambda m: env[m[1] or m[2]], text)


# Where nginx buffers bodies; the packaged defaults (/var/lib/nginx/...) may not exist.
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def rendered_nginx_config(tmp_path: Path) -> Path:
    """The proxy's configuration as the nginx image renders it, in a minimal main file.

    The bot host names only resolve inside Compose's network: 127.0.0.1 stands in for them.
    """
    site = envsubst(NGINX_TEMPLATE, environment(SERVICES["proxy"]))
    for name in BOTS:
        site = re.sub(rf"\bserver\s+{name}:", "server 127.0.0.1:", site)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        "http {\n    access_log off;\n"
        + "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in TEMP_PATHS)
        + f"    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


def test_nginx_accepts_the_proxy_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    main = rendered_nginx_config(tmp_path)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = main.with_name("site.conf").read_text("utf-8")
    assert "SOFTLIFT_WEBHOOK_SECRET" not in site
    assert "$http_x_telegram_bot_api_secret_token" in site


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_accepts_the_file() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed (make compose-check)")
    result = subprocess.run(
        [*command, "--file", str(COMPOSE), "config", "--quiet"],
        env={**os.environ, **SAMPLE_ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
