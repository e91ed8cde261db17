"""The Docker deployment (``deploy/``), checked without Docker: what a self-hoster would notice
going wrong. The compose file and Dockerfiles are parsed here; the secrets a process needs are
found by asking ``insight.settings.startup_settings``, the routes by building the apps."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from bot.stack_processes import lock_store_env
from insight.settings import PROJECT_ROOT, Settings, startup_settings

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"

# Issue 14 item 4: PostgreSQL, Redis, 2 Rasa, action server, 2 gateways, worker, nginx.
ISSUE_SERVICES = frozenset(
    {"postgres", "redis", "rasa-1", "rasa-2", "actions", "gateway", "gateway-2", "worker", "nginx"}
)
# How each ShopSense process names its port and address on its command line.
PORT_FLAG = {"gateway": "--port", "actions": "--port", "rasa": "--port"}
HOST_FLAG = {"gateway": "--host", "rasa": "--interface"}
# Rasa 3.6's own routes that a health check may use (rasa/server.py; Rasa runs in its own venv,
# so its app cannot be built here): the root answers before the model is loaded, /status after.
RASA_ROUTES = frozenset({"/", "/status", "/version"})
# Base images that already drop root.
UNPRIVILEGED_IMAGES = ("nginxinc/nginx-unprivileged:",)

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: ``${A}``, ``${A:-default}``, ``${A:?error}``, ``$$`` → ``$``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        if env.get(name):
            return env[name]
        if op == ":?":
            raise ValueError(f"{name}: {arg}")
        return arg or ""

    return _VARIABLE.sub(substitute, value)


def required_variables(text: str) -> set[str]:
    """The names written ``${NAME:?…}``: without them ``docker compose up`` stops."""
    return {m["name"] for m in _VARIABLE.finditer(text) if m["op"] == ":?"}


def env_example_names(*, optional: bool = True) -> set[str]:
    """The variables deploy/.env.example lists (``NAME=``), and those it leaves commented out."""
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    pattern = r"(?:#\s*)?([A-Z][A-Z0-9_]*)=" if optional else r"([A-Z][A-Z0-9_]*)="
    return {m[1] for line in lines if (m := re.match(pattern, line))}


# What a self-hoster fills in: the names .env.example leaves to fill, each a long random value.
FILLED = {name: f"{name.lower()}-{'s' * 40}" for name in env_example_names(optional=False)}


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def parse_dockerfile(path: Path) -> dict[str, Stage]:
    """The stages of a Dockerfile by name (an unnamed stage by its index), each with its
    instructions; continuation lines joined, comments dropped."""
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        ),
    )
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    for line in filter(None, (line.strip() for line in text.splitlines())):
        keyword, _, args = line.partition(" ")
        if keyword.upper() == "FROM":
            base, _, name = re.sub(r"--platform=\S+\s*", "", args).partition(" AS ")
            stage = Stage(name.strip() or str(len(stages)), base.strip())
            stages[stage.name] = stage
        elif stage is not None:
            stage.instructions.append((keyword.upper(), args.strip()))
    return stages


def lineage(stages: Mapping[str, Stage], name: str) -> list[Stage]:
    """A stage and the stages it is built FROM, nearest first."""
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def inherited(stages: Mapping[str, Stage], name: str, keyword: str) -> list[str]:
    """Every ``keyword`` instruction a stage runs with, its base stages' first."""
    chain = reversed(lineage(stages, name))
    return [args for stage in chain for key, args in stage.instructions if key == keyword]


def exec_form(args: str) -> list[str]:
    return list(yaml.safe_load(args)) if args.startswith("[") else shlex.split(args)


@dataclass(frozen=True)
class Service:
    name: str
    spec: dict[str, Any]

    @property
    def build(self) -> tuple[Path, Path, str] | None:
        """Build context, Dockerfile and the stage the service runs."""
        build = self.spec.get("build")
        if build is None:
            return None
        context = (COMPOSE_FILE.parent / build["context"]).resolve()
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        stages = parse_dockerfile(dockerfile)
        return context, dockerfile, build.get("target") or list(stages)[-1]

    def stages(self) -> dict[str, Stage]:
        assert self.build is not None
        return parse_dockerfile(self.build[1])

    @property
    def environment(self) -> dict[str, str]:
        """The container's environment: the image's ENV, then compose's, interpolated."""
        env: dict[str, str] = {}
        if self.build:
            for args in inherited(self.stages(), self.build[2], "ENV"):
                env |= dict(shlex.split(item)[0].split("=", 1) for item in args.split())
        raw = self.spec.get("environment", {})
        return env | {key: interpolate(str(value), FILLED) for key, value in raw.items()}

    @property
    def command(self) -> list[str]:
        """What the container runs: compose's command, else the image's CMD."""
        if "command" in self.spec:
            return [interpolate(part, FILLED) for part in self.spec["command"]]
        commands = inherited(self.stages(), self.build[2], "CMD") if self.build else []
        return exec_form(commands[-1]) if commands else []  # else the base image's own

    @property
    def process(self) -> str | None:
        """Which ShopSense process the command starts (the actions' runs after a shell prelude)."""
        words = " ".join(self.command)
        for process, marker in (
            ("gateway", "uvicorn bot.app:create_app"),
            ("rasa", "-m bot.rasa_server run"),
            ("actions", "-m actions"),
        ):
            if marker in words:
                return process
        return None

    def argument(self, flag: str) -> str:
        words = shlex.split(" ".join(self.command))
        assert flag in words, f"{self.name} runs without {flag}: {words}"
        return words[words.index(flag) + 1]

    @property
    def port(self) -> int:
        assert self.process, f"{self.name} runs no ShopSense process"
        return int(self.argument(PORT_FLAG[self.process]))

    @property
    def healthcheck_url(self) -> str:
        test = [interpolate(part, FILLED) for part in self.spec["healthcheck"]["test"]]
        return next(word for word in test if word.startswith("http"))


@cache
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(compose_text())  # anchors and << merged
    return loaded


def services() -> dict[str, Service]:
    return {name: Service(name, spec) for name, spec in compose()["services"].items()}


def shopsense_services() -> Iterator[Service]:
    """The services that run a ShopSense process (they call ``startup_settings``)."""
    return (service for service in services().values() if service.process)


def by_process(process: str) -> list[Service]:
    return [service for service in shopsense_services() if service.process == process]


def nginx_conf() -> str:
    return (DEPLOY / "nginx" / "shopsense.conf").read_text()


@cache
def gateway_routes() -> frozenset[str]:
    from bot.app import create_app
    from insight.db.engine import make_engine, make_sessionmaker
    from tests.gateway_fakes import FakeAssistant, gateway_services

    sessions = make_sessionmaker(make_engine("sqlite://"))
    app = create_app(Settings.from_env({}), gateway_services(sessions, FakeAssistant()))
    return frozenset(path for r in app.other_asgi_app.routes if (path := getattr(r, "path", "")))


@cache
def action_server_routes() -> frozenset[str]:
    from rasa_sdk.endpoint import create_app

    return frozenset("/" + r.path.lstrip("/") for r in create_app("actions").router.routes)


def test_every_service_the_issue_lists_runs_or_is_documented_as_waiting() -> None:
    running, waiting = set(services()), dict(compose().get("x-waiting", {}))

    assert set(ISSUE_SERVICES) - running - set(waiting) == set()
    assert running & set(waiting) == set(), "a service is both running and waiting"
    for name, why in waiting.items():
        assert re.search(r"issue 14 item \d", why), (
            f"x-waiting.{name} does not say what it waits for"
        )
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploying with Docker") :]
    for name in waiting:
        assert f"`{name}`" in section.split("\n## ", 1)[0], f"README does not say {name} waits"


def test_build_contexts_dockerfiles_stages_and_copy_sources_exist() -> None:
    built = [service for service in services().values() if service.build]
    assert built, "no service is built from this repository"
    for service in built:
        assert service.build is not None
        context, dockerfile, target = service.build
        assert context.is_dir() and dockerfile.is_file(), service.name
        stages = service.stages()
        assert target in stages, f"{service.name}: no stage {target} in {dockerfile.name}"
        for stage in stages.values():
            for keyword, args in stage.instructions:
                if keyword not in {"COPY", "ADD"}:
                    continue
                *sources, _destination = shlex.split(args)
                if origin := next((s for s in sources if s.startswith("--from=")), None):
                    assert origin.removeprefix("--from=") in stages, f"{dockerfile.name}: {args}"
                    continue
                for source in (s for s in sources if not s.startswith("--")):
                    assert (context / source).exists(), f"{dockerfile.name}: COPY {source}"


def test_bind_mounted_files_exist() -> None:
    for service in services().values():
        for volume in service.spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE_FILE.parent / source).exists(), f"{service.name}: {volume}"


def test_every_image_of_ours_runs_as_a_user_other_than_root() -> None:
    for service in (s for s in services().values() if s.build):
        assert service.build is not None
        stages = service.stages()
        users = inherited(stages, service.build[2], "USER")
        base = lineage(stages, service.build[2])[-1].base
        unprivileged = base.startswith(UNPRIVILEGED_IMAGES)
        assert unprivileged or (users and users[-1] not in {"root", "0"}), service.name


def test_the_production_secrets_each_process_requires_are_provided_and_required() -> None:
    """Derived from ``startup_settings``: every variable whose absence stops a process must reach
    it, be written ``${NAME:?…}`` (so ``docker compose up`` stops first, saying so) and be listed
    in .env.example."""
    processes = {service.process for service in shopsense_services()}
    assert processes == {"gateway", "rasa", "actions"}
    for service in shopsense_services():
        env = service.environment
        settings = startup_settings(env)  # refuses missing, short or published secrets
        assert not settings.demo_tokens, f"{service.name} runs in demo mode"
        needed = [name for name in env if _refused_without(env, name)]
        assert needed, f"{service.name}: startup_settings needed nothing (is the check real?)"
        raw = compose()["services"][service.name]["environment"]
        for name in needed:
            assert name in required_variables(str(raw[name])), f"{service.name}: {name}"
            assert name in env_example_names(), f".env.example lacks {name}"


def _refused_without(env: Mapping[str, str], name: str) -> bool:
    try:
        startup_settings({key: value for key, value in env.items() if key != name})
    except SystemExit:
        return True
    return False


def test_env_example_lists_exactly_the_variables_compose_uses() -> None:
    used = {m["name"] for m in _VARIABLE.finditer(compose_text()) if m["name"]}

    assert required_variables(compose_text()) <= env_example_names()
    assert env_example_names() <= used, "documented in .env.example but never used"
    for name in required_variables(compose_text()):
        with pytest.raises(ValueError, match=f"^{name}: set {name}"):
            interpolate(compose_text(), {k: v for k, v in FILLED.items() if k != name})


def test_processes_bind_every_interface_of_their_container() -> None:
    for service in shopsense_services():
        assert service.process is not None
        if service.process in HOST_FLAG:
            assert service.argument(HOST_FLAG[service.process]) == "0.0.0.0", service.name
        else:  # rasa-sdk binds SANIC_HOST
            assert service.environment.get("SANIC_HOST") == "0.0.0.0", service.name


def test_healthchecks_ask_the_real_endpoints_on_the_process_port() -> None:
    served = {
        "gateway": gateway_routes(),
        "actions": action_server_routes(),
        "rasa": RASA_ROUTES,
    }
    for service in shopsense_services():
        assert service.process is not None
        url = urlsplit(service.healthcheck_url)
        assert url.hostname == "127.0.0.1" and url.port == service.port, service.name
        assert url.path in served[service.process], f"{service.name}: {url.path} is not served"
    assert urlsplit(by_process("gateway")[0].healthcheck_url).path == "/readyz"
    assert "token=" in urlsplit(by_process("rasa")[0].healthcheck_url).query  # /status needs it
    nginx = urlsplit(services()["nginx"].healthcheck_url)
    assert nginx.path in gateway_routes()  # proxied to the gateway
    assert nginx.port == _nginx_listen_port()


def test_the_gateway_reaches_every_rasa_server_and_rasa_the_action_server() -> None:
    rasa = {service.name: service.port for service in by_process("rasa")}
    assert len(rasa) >= 2, "issue 14 asks for two Rasa servers"
    (actions,) = by_process("actions")
    for gateway in by_process("gateway"):
        urls = [urlsplit(url) for url in Settings.from_env(gateway.environment).rasa_url.split(",")]
        assert {url.hostname: url.port for url in urls} == rasa
    for server in by_process("rasa"):
        endpoint = urlsplit(server.environment["ACTION_ENDPOINT_URL"])
        assert (endpoint.hostname, endpoint.port) == (actions.name, actions.port)
        assert endpoint.path == "/webhook"
        assert "/webhook" in action_server_routes()


def test_rasa_servers_share_one_postgresql_tracker_and_redis_locks() -> None:
    read = set(re.findall(r"\$\{(\w+)\}", (PROJECT_ROOT / "endpoints.yml").read_text()))
    several = lock_store_env("redis://redis:6379/1")
    envs = [server.environment for server in by_process("rasa")]
    for env in envs:
        assert read <= set(env), f"endpoints.yml reads {read - set(env)}, not set"
        assert env["LOCK_STORE_TYPE"] == several["LOCK_STORE_TYPE"]
        assert compose()["services"][env["LOCK_STORE_HOST"]]["image"].startswith("redis:")
        tracker = urlsplit(env["TRACKER_URL"])
        assert (tracker.scheme, tracker.path) == (env["TRACKER_DIALECT"], f"/{env['TRACKER_DB']}")
        assert compose()["services"][tracker.hostname]["image"].startswith("postgres:")
        init = (DEPLOY / "postgres" / "init.sql").read_text()
        assert f"CREATE DATABASE {env['TRACKER_DB']};" in init
    assert len({(env["TRACKER_URL"], env["LOCK_STORE_HOST"]) for env in envs}) == 1


def test_the_gateway_and_the_actions_use_one_shop_database() -> None:
    # the migrate job too: the recommender's latest build is recorded under the URL's hash
    urls = {s.environment.get("DATABASE_URL") for s in services().values() if s.build}
    (url,) = urls - {None}
    assert url is not None and url.startswith("postgresql+psycopg://")


def _nginx_listen_port() -> int:
    return int(re.findall(r"^\s*listen\s+(\d+)\s*;", nginx_conf(), re.MULTILINE)[0])


def test_nginx_proxies_sticky_websockets_to_real_gateway_ports() -> None:
    conf = nginx_conf()
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", conf, re.DOTALL)
    assert upstream, "no upstream block"
    name, body = upstream.groups()
    assert re.search(r"^\s*(ip_hash|hash\s+\$cookie_\w+.*|sticky\s.*);", body, re.MULTILINE)
    servers = re.findall(r"^\s*server\s+([\w.-]+):(\d+)\s*;", body, re.MULTILINE)
    gateways = {service.name: service.port for service in by_process("gateway")}
    assert servers and {host: int(port) for host, port in servers} == gateways
    assert f"proxy_pass http://{name};" in conf
    assert "proxy_http_version 1.1;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert re.search(r"proxy_set_header Connection \$\w+;", conf)
    (published,) = services()["nginx"].spec["ports"]
    assert int(interpolate(published, FILLED).rsplit(":", 1)[1]) == _nginx_listen_port()
    for gateway in by_process("gateway"):  # the shopper's address from nginx's header
        edge = compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
        assert gateway.environment["FORWARDED_ALLOW_IPS"] == edge
        assert set(gateway.spec["networks"]) >= {"edge"}


def test_only_nginx_is_published_and_the_backend_is_internal() -> None:
    published = {name for name, service in services().items() if service.spec.get("ports")}
    assert published == {"nginx"}
    assert compose()["networks"]["backend"].get("internal") is True
    for name, service in services().items():
        if name not in {"nginx", *(s.name for s in by_process("gateway"))}:
            assert service.spec["networks"] == ["backend"], name


def test_start_order_waits_for_health_and_the_migration() -> None:
    specs = compose()["services"]
    for name, spec in specs.items():
        for dependency, condition in spec.get("depends_on", {}).items():
            wanted = "service_healthy" if "healthcheck" in specs[dependency] else None
            wanted = wanted or "service_completed_successfully"
            assert condition == {"condition": wanted}, f"{name} → {dependency}"
            if wanted == "service_completed_successfully":
                assert "restart" not in specs[dependency], f"{dependency} is a one-shot job"
    for service in (*shopsense_services(), services()["nginx"]):
        assert "healthcheck" in service.spec, service.name
    for service in shopsense_services():
        assert "migrate" in service.spec.get("depends_on", {}) or service.process == "rasa"


def test_postgresql_keeps_its_data_in_a_named_volume() -> None:
    volumes = compose()["volumes"]
    mounts = [m.split(":") for m in compose()["services"]["postgres"]["volumes"]]
    assert any(
        source in volumes and target == "/var/lib/postgresql/data"
        for source, target in (m[:2] for m in mounts)
    )
