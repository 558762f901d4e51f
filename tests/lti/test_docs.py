"""docs/lti.md, checked against the emulator: its registration command and URLs work as written."""
from __future__ import annotations

import re
import shlex

from lms import PROJECT_ROOT

from .conftest import LEARNER
from .platform import launch

DOC = (PROJECT_ROOT / "docs" / "lti.md").read_text(encoding="utf-8")


def _moodle_command() -> list[str]:
    block = re.search(r"```shell\n(lms lti add-platform --issuer https://moodle[^\n]+)\n```", DOC).group(1)
    return shlex.split(block)[1:]  # without the program name


def test_the_documented_moodle_command_registers_a_platform_that_launches(platform, runner, course_data,
                                                                          browser_session, db):
    args = _moodle_command()
    values = {"--issuer": platform.issuer, "--client-id": platform.client_id,
              "--deployment-id": platform.deployment_id, "--auth-url": platform.auth_url,
              "--token-url": platform.token_url, "--jwks-url": platform.jwks_url}
    for option, value in values.items():
        args[args.index(option) + 1] = value  # the emulator's values in the documented shape
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.rollback()
    hint = platform.resource_link(sub="doc-learner", roles=LEARNER, custom={"tamkeen_course": course_data.course_uuid})
    response = launch(browser_session(), platform, hint)
    assert response.status_code == 200 and course_data.course_title in response.text


def test_every_tamkeen_url_in_the_guide_exists(app):
    paths = set(re.findall(r"https://tamkeen\.example\.ma(/lti/[a-z0-9./-]*[a-z0-9])", DOC))
    assert {"/lti/launch", "/lti/login", "/lti/jwks", "/lti/1.1/launch", "/lti/canvas.json"} <= paths
    adapter = app.url_map.bind("tamkeen.example.ma")
    for path in paths:
        if path.startswith("/lti/dynamic-registration"):
            continue
        method = "POST" if path in ("/lti/launch", "/lti/1.1/launch") else "GET"
        assert adapter.match(path, method=method)


def test_the_documented_commands_exist(runner):
    for command in re.findall(r"`lms (lti [a-z-]+)", DOC):
        result = runner.invoke(args=command.split() + ["--help"])
        assert result.exit_code == 0, (command, result.output)


def test_canvas_configuration_url_gives_what_canvas_asks_for(client, app):
    body = client.get("/lti/canvas.json").get_json()
    site = app.config["SITE_URL"]
    assert body["oidc_initiation_url"] == site + "/lti/login"
    assert body["target_link_uri"] == site + "/lti/launch"
    assert body["public_jwk_url"] == site + "/lti/jwks"
    placements = body["extensions"][0]["settings"]["placements"]
    assert {"LtiDeepLinkingRequest", "LtiResourceLinkRequest"} == {p["message_type"] for p in placements}


def test_every_refusal_code_in_the_guide_is_one_the_tool_sends():
    documented = set(re.findall(r"`(lti(?:11)?_[a-z_]+)`", DOC))
    sources = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "lms" / "lti").glob("*.py"))
    assert documented and all(f'"{code}"' in sources for code in documented), \
        sorted(c for c in documented if f'"{c}"' not in sources)
