"""The class beyond one machine, checked on paper: classroom/kubernetes/values.yaml (Zero to JupyterHub's Helm values) and
classroom/kubernetes/Dockerfile (the single-user image) are well formed and agree with each other and with the course.

Nothing here builds an image, renders the chart or reaches a network: the checks are static. values.yaml must parse,
use only keys that the chart's schema has (the key paths recorded below), turn the idle culler on and configure
NativeAuthenticator. The Dockerfile must hold only known instructions, start with FROM (after ARGs) on a Python the
course supports, install requirements.txt, the course's package and the hub's jupyterhub, and copy the student
edition where values.yaml's postStart hook looks for it. Every version either file names for a package must be the
one requirements.txt pins (jupyterhub: the hub's version).
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml

from classroom.notebook import BUILD, ROOT
from helpers.config import DATA_DIR_ENV
from helpers.environment import SUPPORTED_PYTHONS

HUB = ROOT / "classroom" / "kubernetes"
VALUES = HUB / "values.yaml"
DOCKERFILE = HUB / "Dockerfile"
REQUIREMENTS = ROOT / "requirements.txt"

# The JupyterHub version the hub runs; the single-user image must install the same (a different major version breaks
# logins). Used while requirements.txt pins no jupyterhub: the hub's own requirements must agree with it.
HUB_VERSION = "6.1.1"

# Where the student edition lives in the image, and where the hub's postStart hook copies it (the course's layout:
# <home>/pytorch-course/notebooks/...). HOME is the single-user image's home, Z2JH's singleuser.storage.homeMountPath.
IMAGE_COURSE = "/opt/pytorch-course"
HOME = "/home/jovyan"
HOME_COURSE = f"{HOME}/pytorch-course"
UID = 1000

# The instructions a Dockerfile of ours may use.
KNOWN_INSTRUCTIONS = {"FROM", "RUN", "COPY", "ARG", "ENV", "USER", "WORKDIR", "CMD", "LABEL", "EXPOSE"}

# Key paths of Zero to JupyterHub's values, recorded from the chart's schema: jupyterhub/values.schema.yaml of
# github.com/jupyterhub/zero-to-jupyterhub-k8s at tag 4.4.0 (commit 5c5f5df751588a68a7781ead01d0f62e88e2e72f; its
# main branch of July 2026 has the same paths). Recorded: every top-level key; every key of hub, singleuser and
# proxy; the whole subtrees of cull, hub.image, proxy.https and singleuser's image, memory, cpu, storage and
# lifecycleHooks. A key of values.yaml outside these fails the test: look it up in the schema and add it here.
SCHEMA_PATHS = frozenset({
    "cull", "cull.adminUsers", "cull.concurrency", "cull.enabled", "cull.every", "cull.maxAge",
    "cull.removeNamedServers", "cull.timeout", "cull.users", "custom", "debug", "enabled", "fullnameOverride",
    "global", "httpRoute", "hub", "hub.activeServerLimit", "hub.allowNamedServers", "hub.annotations", "hub.args",
    "hub.authenticatePrometheus", "hub.baseUrl", "hub.command", "hub.concurrentSpawnLimit", "hub.config",
    "hub.consecutiveFailureLimit", "hub.containerSecurityContext", "hub.cookieSecret", "hub.db",
    "hub.deploymentStrategy", "hub.existingSecret", "hub.extraConfig", "hub.extraContainers", "hub.extraEnv",
    "hub.extraFiles", "hub.extraPodSpec", "hub.extraVolumeMounts", "hub.extraVolumes", "hub.fsGid", "hub.image",
    "hub.image.name", "hub.image.pullPolicy", "hub.image.pullSecrets", "hub.image.tag", "hub.initContainers",
    "hub.labels", "hub.lifecycle", "hub.livenessProbe", "hub.loadRoles", "hub.namedServerLimitPerUser",
    "hub.networkPolicy", "hub.nodeSelector", "hub.pdb", "hub.podSecurityContext", "hub.readinessProbe",
    "hub.redirectToServer", "hub.resources", "hub.revisionHistoryLimit", "hub.service", "hub.serviceAccount",
    "hub.services", "hub.shutdownOnLogout", "hub.templatePaths", "hub.templateVars", "hub.tolerations",
    "imagePullSecret", "imagePullSecrets", "ingress", "nameOverride", "prePuller", "proxy", "proxy.annotations",
    "proxy.chp", "proxy.deploymentStrategy", "proxy.https", "proxy.https.enabled", "proxy.https.hosts",
    "proxy.https.letsencrypt", "proxy.https.letsencrypt.acmeServer", "proxy.https.letsencrypt.contactEmail",
    "proxy.https.manual", "proxy.https.manual.cert", "proxy.https.manual.key", "proxy.https.secret",
    "proxy.https.secret.crt", "proxy.https.secret.key", "proxy.https.secret.name", "proxy.https.type",
    "proxy.labels", "proxy.secretSync", "proxy.secretToken", "proxy.service", "proxy.traefik", "rbac", "scheduling",
    "singleuser", "singleuser.allowPrivilegeEscalation", "singleuser.cloudMetadata", "singleuser.cmd",
    "singleuser.cpu", "singleuser.cpu.guarantee", "singleuser.cpu.limit", "singleuser.defaultUrl",
    "singleuser.events", "singleuser.extraAnnotations", "singleuser.extraContainers", "singleuser.extraEnv",
    "singleuser.extraFiles", "singleuser.extraLabels", "singleuser.extraNodeAffinity",
    "singleuser.extraPodAffinity", "singleuser.extraPodAntiAffinity", "singleuser.extraPodConfig",
    "singleuser.extraResource", "singleuser.extraTolerations", "singleuser.fsGid", "singleuser.image",
    "singleuser.image.name", "singleuser.image.pullPolicy", "singleuser.image.pullSecrets", "singleuser.image.tag",
    "singleuser.initContainers", "singleuser.lifecycleHooks", "singleuser.lifecycleHooks.postStart",
    "singleuser.lifecycleHooks.preStop", "singleuser.memory", "singleuser.memory.guarantee",
    "singleuser.memory.limit", "singleuser.networkPolicy", "singleuser.networkTools", "singleuser.nodeSelector",
    "singleuser.podNameTemplate", "singleuser.profileList", "singleuser.serviceAccountName",
    "singleuser.startTimeout", "singleuser.storage", "singleuser.storage.capacity", "singleuser.storage.dynamic",
    "singleuser.storage.dynamic.pvcNameTemplate", "singleuser.storage.dynamic.storageAccessModes",
    "singleuser.storage.dynamic.storageClass", "singleuser.storage.dynamic.subPath",
    "singleuser.storage.dynamic.volumeNameTemplate", "singleuser.storage.extraLabels",
    "singleuser.storage.extraVolumeMounts", "singleuser.storage.extraVolumes", "singleuser.storage.homeMountPath",
    "singleuser.storage.static", "singleuser.storage.static.pvcName", "singleuser.storage.static.subPath",
    "singleuser.storage.type", "singleuser.uid",
})
# Objects the same schema leaves open (additionalProperties: true): any key below them is passed on as it is.
FREE_FORM = frozenset({"singleuser.lifecycleHooks.postStart", "singleuser.lifecycleHooks.preStop"})
# hub.config takes traitlets configuration: the schema's patternProperties admit any class name that starts with a
# capital, holding an object, and check nothing below it.
CONFIG_CLASS = re.compile(r"^[A-Z].*$")

# A pin written as name==version (in requirements.txt, a RUN line, a comment).
PIN = re.compile(r"(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!*-]*)")
# Kubernetes byte sizes as KubeSpawner reads them (singleuser.memory): a number and K, M, G or T (powers of 1024).
BYTES = re.compile(r"^(\d+(?:\.\d+)?)([KMGT])$")


def _name(package: str) -> str:
    """A package name normalized as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", package).lower()


def _pins(text: str) -> dict[str, str]:
    """Every name==version in ``text``, by normalized name."""
    return {_name(name): version for name, version in PIN.findall(text)}


def _requirements() -> dict[str, str]:
    """requirements.txt's pins (comments left out)."""
    lines = [line.split("#")[0] for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()]
    return _pins("\n".join(lines))


def hub_version() -> str:
    """The hub's JupyterHub version: requirements.txt's pin when it has one, else HUB_VERSION."""
    return _requirements().get("jupyterhub", HUB_VERSION)


def instructions(text: str) -> list[tuple[int, str, str]]:
    """The Dockerfile's instructions as (line number, instruction, arguments), as Docker reads them: a line ending in
    a backslash continues on the next, and comment lines (even inside a continued instruction) are left out.

    Raises ValueError for a line that is not one of KNOWN_INSTRUCTIONS, or a last instruction that never ends."""
    found, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        start = start or number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical, pending = pending + stripped, ""
        word, _, arguments = logical.partition(" ")
        if word not in KNOWN_INSTRUCTIONS or not arguments.strip():
            raise ValueError(f"line {start}: expected one of {', '.join(sorted(KNOWN_INSTRUCTIONS))} (in capitals) "
                             f"followed by its arguments, got {logical[:60]!r}")
        found.append((start, word, " ".join(arguments.split())))
        start = 0
    if pending:
        raise ValueError(f"line {start}: the last instruction ends with a backslash, so it never ends; remove it")
    return found


def _dockerfile() -> list[tuple[int, str, str]]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _of(kind: str) -> list[str]:
    """The arguments of every instruction of one kind, in order."""
    return [arguments for _, word, arguments in _dockerfile() if word == kind]


def _commands(line: str) -> list[list[str]]:
    """A RUN's shell commands (split at && and ;), each as its words."""
    return [shlex.split(part) for part in re.split(r"&&|;", line) if part.strip()]


def _pip_installs() -> list[list[str]]:
    """The arguments of every `pip install` that a RUN runs, in order."""
    return [words[2:] for run in _of("RUN") for words in _commands(run) if words[:2] == ["pip", "install"]]


def _arg_defaults() -> dict[str, str]:
    """The ARGs before FROM and their default values."""
    defaults = {}
    for _, word, arguments in _dockerfile():
        if word == "FROM":
            break
        name, _, value = arguments.partition("=")
        defaults[name] = value
    return defaults


def _copied(destination: str) -> list[str]:
    """The sources of the COPY instructions into ``destination``."""
    sources = []
    for arguments in _of("COPY"):
        words = [word for word in arguments.split() if not word.startswith("--")]
        if words[-1].rstrip("/") == destination.rstrip("/"):
            sources += words[:-1]
    return sources


def _image_in_build_command() -> tuple[str, str]:
    """The name and tag of the image in the Dockerfile's documented `docker build -t NAME:TAG` command."""
    match = re.search(r"^#\s*docker build .*-t (\S+):(\S+) \.$", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, "the Dockerfile's header must show its build command: docker build -f ... -t NAME:TAG ."
    return match[1], match[2]


def _values() -> dict:
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert isinstance(values, dict), f"{VALUES} must hold a mapping of Helm values, got {type(values).__name__}"
    return values


def unknown_keys(values: dict, path: str = "") -> list[str]:
    """The key paths of ``values`` that the recorded Z2JH schema does not have (or that are not recorded yet)."""
    unknown = []
    for key, value in values.items():
        here = f"{path}.{key}" if path else str(key)
        if path == "hub.config":
            if not CONFIG_CLASS.match(str(key)) or not isinstance(value, dict):
                unknown.append(here)
            continue
        if here not in SCHEMA_PATHS:
            unknown.append(here)
        elif isinstance(value, dict) and here not in FREE_FORM:
            if here == "hub.config" or any(known.startswith(here + ".") for known in SCHEMA_PATHS):
                unknown += unknown_keys(value, here)
            elif value:
                unknown.append(here + ".*")
    return unknown


def _bytes(size) -> float:
    match = BYTES.match(str(size))
    assert match, f"a memory size must be a number and K, M, G or T (Z2JH's singleuser.memory), got {size!r}"
    return float(match[1]) * 1024 ** "KMGT".index(match[2])


# values.yaml


def test_values_use_only_keys_of_the_chart_schema():
    assert unknown_keys(_values()) == [], "keys that Zero to JupyterHub's values.schema.yaml does not have"


@pytest.mark.parametrize("values, unknown", [
    ({"singleuser": {"memmory": {"limit": "2G"}}}, ["singleuser.memmory"]),
    ({"cull": {"enabled": True, "timeout_s": 60}}, ["cull.timeout_s"]),
    ({"hub": {"config": {"authenticator": {}, "Authenticator": {"any_trait": 1}}}}, ["hub.config.authenticator"]),
    ({"singleuser": {"networkPolicy": {"enabled": False}}}, ["singleuser.networkPolicy.*"]),
    ({"singleuser": {"lifecycleHooks": {"postStart": {"exec": {"command": ["true"]}}}}}, []),
])
def test_unknown_keys_finds_keys_outside_the_schema(values, unknown):
    assert unknown_keys(values) == unknown


def test_values_run_the_image_the_dockerfile_builds():
    image = _values()["singleuser"]["image"]
    name, tag = _image_in_build_command()
    assert (image["name"], image["tag"]) == (name, tag), "singleuser.image must be what the Dockerfile's header builds"
    assert isinstance(image["tag"], str), "quote the image tag in values.yaml: YAML reads 0.10 as a number"
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE)
    assert tag == version[1], f"the image tag is the course's version (pyproject.toml: {version[1]}), got {tag}"


def test_values_start_the_images_server_as_its_user():
    singleuser = _values()["singleuser"]
    assert singleuser["cmd"] == json.loads(_of("CMD")[-1])[0] == "jupyterhub-singleuser"
    assert singleuser["uid"] == UID and singleuser["defaultUrl"] == "/lab"
    assert singleuser["storage"]["type"] == "dynamic", "each learner needs a volume of their own for their work"
    assert singleuser["storage"].get("homeMountPath", HOME) == HOME


def test_values_give_each_learner_bounded_resources():
    singleuser = _values()["singleuser"]
    memory, cpu = singleuser["memory"], singleuser["cpu"]
    assert 0 < _bytes(memory["guarantee"]) <= _bytes(memory["limit"])
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert re.fullmatch(r"\d+(Mi|Gi)", singleuser["storage"]["capacity"]), "a storage capacity such as 2Gi"


def test_values_copy_the_student_edition_into_the_home_without_overwriting():
    command = _values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["sh", "-c"], "the hook runs one shell line: sh -c '...'"
    copies = [words for words in _commands(command[2]) if words[0] == "cp"]
    assert len(copies) == 1, f"the hook copies the student edition with one cp, got {command[2]!r}"
    flags = "".join(word.lstrip("-") for word in copies[0] if word.startswith("-"))
    assert "n" in flags and "r" in flags and "f" not in flags, "cp -rn: recursive, never overwriting the learner's work"
    source, target = [word for word in copies[0] if not word.startswith("-")][1:]
    assert source.rstrip("/.") == IMAGE_COURSE and target.rstrip("/") == HOME_COURSE


def test_values_turn_the_idle_culler_on():
    cull = _values()["cull"]
    assert cull["enabled"] is True
    assert isinstance(cull["timeout"], int) and 0 < cull["timeout"] <= 24 * 3600, "an idle timeout in seconds"


def test_values_configure_native_authenticator():
    config = _values()["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] in {"native", "nativeauthenticator.NativeAuthenticator"}
    assert config["NativeAuthenticator"]["open_signup"] is False, "a teacher authorizes each account"
    admins = config["Authenticator"]["admin_users"]
    assert isinstance(admins, list) and admins and all(isinstance(name, str) for name in admins)
    # JupyterHub 5 and later let nobody in without an allow rule; NativeAuthenticator's authorization is the rule.
    assert config["Authenticator"]["allow_all"] is True


def test_values_serve_https():
    https = _values()["proxy"]["https"]
    assert https["enabled"] is True and https["type"] == "letsencrypt"
    assert https["hosts"] and https["letsencrypt"]["contactEmail"], "Let's Encrypt needs the host and an e-mail"


def test_values_header_shows_how_to_install():
    text = VALUES.read_text(encoding="utf-8")
    assert re.search(r"helm upgrade .*--install", text) and "--values classroom/kubernetes/values.yaml" in text


# Dockerfile


def test_dockerfile_has_only_known_instructions():
    assert {word for _, word, _ in _dockerfile()} <= KNOWN_INSTRUCTIONS  # instructions() raises for any other line


@pytest.mark.parametrize("text, message", [
    ("FROM python:3.11\nRUNN true\n", "line 2: expected one of ARG, CMD, COPY"),
    ("FROM python:3.11\nrun true\n", "line 2: expected one of"),
    ("FROM python:3.11\nENTRYPOINT [\"tini\"]\n", "line 2: expected one of"),
    ("FROM python:3.11\nWORKDIR\n", "line 2: expected one of"),
    ("FROM python:3.11\nRUN true \\\n", "line 2: the last instruction ends with a backslash"),
])
def test_instructions_rejects_what_docker_would_not_read(text, message):
    with pytest.raises(ValueError, match=message):
        instructions(text)


def test_instructions_joins_continued_lines_and_skips_comments():
    text = "# a comment\nARG V=1\n\nRUN a \\\n# inside\n    && b\nCMD [\"x\"]\n"
    assert instructions(text) == [(2, "ARG", "V=1"), (4, "RUN", "a && b"), (7, "CMD", '["x"]')]


def test_dockerfile_starts_from_a_supported_python():
    words = [word for _, word, _ in _dockerfile()]
    first = words.index("FROM")
    assert set(words[:first]) <= {"ARG"} and words.count("FROM") == 1, "one FROM, first (only ARGs before it)"
    image = _of("FROM")[0]
    for name, value in _arg_defaults().items():
        image = image.replace("${" + name + "}", value).replace("$" + name, value)
    match = re.fullmatch(r"python:(\d+\.\d+)-slim-bookworm", image)
    assert match, f"an official slim Python image pinned by version, got {image!r}"
    assert tuple(int(part) for part in match[1].split(".")) in SUPPORTED_PYTHONS


def test_dockerfile_installs_the_pinned_requirements_then_the_course():
    installs = _pip_installs()
    requirements = [i for i, words in enumerate(installs) if "-r" in words]
    course = [i for i, words in enumerate(installs) if words[-1] == "."]
    assert len(requirements) == 1 and installs[requirements[0]][installs[requirements[0]].index("-r") + 1] == \
        "requirements.txt", "one pip install -r requirements.txt"
    assert len(course) == 1 and requirements[0] < course[0], "the course's package after its requirements"
    assert "--no-deps" in installs[course[0]] and "-e" not in installs[course[0]], "pip install --no-deps ."
    assert all("--no-cache-dir" in words for words in installs), "pip's cache would stay in the image"
    copied = [source for arguments in _of("COPY") for source in arguments.split()[:-1]]
    for needed in ("requirements.txt", "pyproject.toml", "helpers/", "classroom/"):
        assert needed in copied and (ROOT / needed).exists(), f"the image needs {needed} from the repository"


def test_dockerfile_installs_the_hubs_jupyterhub():
    installed = _pins(" ".join(" ".join(words) for words in _pip_installs()))
    assert installed.get("jupyterhub") == hub_version(), "the single-user server's jupyterhub is the hub's version"


def test_every_version_named_is_the_pinned_one():
    pins = _requirements()
    for path in (DOCKERFILE, VALUES):
        for name, version in _pins(path.read_text(encoding="utf-8")).items():
            if name == "jupyterhub":
                assert version == hub_version(), f"{path.name}: jupyterhub=={version}, the hub runs {hub_version()}"
            else:
                assert name in pins, f"{path.name} pins {name}, which requirements.txt does not: pin it there"
                assert version == pins[name], f"{path.name}: {name}=={version}, requirements.txt pins {pins[name]}"


def test_dockerfile_copies_the_student_edition_where_the_hook_finds_it():
    assert _copied(IMAGE_COURSE) == [(BUILD / "student").relative_to(ROOT).as_posix() + "/"], \
        "the student edition (make student writes build/student/) goes to /opt/pytorch-course/"
    assert f"{DATA_DIR_ENV}={HOME_COURSE}/data" in _of("ENV"), "datasets and checkpoints go into the learner's home"


def test_dockerfile_runs_as_the_learner():
    useradd = [words for run in _of("RUN") for words in _commands(run) if words[0] == "useradd"]
    assert len(useradd) == 1, "one useradd creates the learner's account"
    words = useradd[0]
    assert words[words.index("--uid") + 1] == str(UID) and words[words.index("--home-dir") + 1] == HOME
    assert words[-1] == "jovyan" and "--create-home" in words
    assert _of("USER")[-1] == str(UID) and _of("WORKDIR")[-1] == HOME
    assert [word for _, word, _ in _dockerfile()][-1] == "CMD" and json.loads(_of("CMD")[-1]) == [
        "jupyterhub-singleuser"]
