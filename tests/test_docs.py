"""Docs stay true: the data dictionary, the settings table, the command help and the API descriptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.datadoc import BEGIN, END, dictionary_markdown
from graph.settings import Settings
from graph.vocabulary import REL_TYPES, EntityKind

ROOT = Path(__file__).resolve().parent.parent


def test_data_dictionary_is_current() -> None:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block == "\n" + dictionary_markdown(), "run: python -m graph.datadoc"
    for kind in EntityKind:
        assert f"`{kind.value}`" in block
    for name in REL_TYPES:
        assert f"`{name}`" in block


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"`CRYPTOKG_{name.upper()}`" in readme, name
        assert field.description, name


def test_readme_shows_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


# -- command help and API descriptions --------------------------------------------------------


def _cli_commands() -> list[tuple[str, Any]]:
    """Every command of ``cryptokg`` (typer's click objects), sub-groups walked, with its name."""
    import typer.main

    from graph.cli import app

    found: list[tuple[str, Any]] = []

    def walk(name: str, cmd: Any) -> None:
        found.append((name, cmd))
        for sub_name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(f"{name} {sub_name}", sub)

    walk("cryptokg", typer.main.get_command(app))
    return found


CLI_COMMANDS = _cli_commands()


def test_the_cli_has_its_commands() -> None:
    names = {name for name, _ in CLI_COMMANDS}
    assert {"cryptokg ingest", "cryptokg serve", "cryptokg path", "cryptokg conflicts"} <= names


@pytest.mark.parametrize(("name", "cmd"), CLI_COMMANDS, ids=[n for n, _ in CLI_COMMANDS])
def test_every_cli_command_and_option_has_help(name: str, cmd: Any) -> None:
    assert (cmd.help or "").strip(), f"{name} has no help text"
    ctx = cmd.make_context(name, [], resilient_parsing=True)
    for param in cmd.get_params(ctx):
        # options and arguments alike: typer's arguments carry help too
        assert (getattr(param, "help", None) or "").strip(), f"{name}: {param.opts} has no help"


@pytest.mark.parametrize(("name", "cmd"), CLI_COMMANDS, ids=[n for n, _ in CLI_COMMANDS])
def test_every_cli_help_page_renders(name: str, cmd: Any) -> None:
    from typer.testing import CliRunner

    from graph.cli import app

    res = CliRunner().invoke(app, [*name.split()[1:], "--help"])
    assert res.exit_code == 0, res.output
    first_line = (cmd.help or "").strip().splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(res.output.split()), name


def _openapi(tmp: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from tests.api.api_support import mini_app

    with TestClient(mini_app(tmp)) as client:
        spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def test_every_api_route_has_a_summary_and_a_description(tmp_path: Path) -> None:
    spec = _openapi(tmp_path)
    operations = [
        (f"{method.upper()} {path}", op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    assert len(operations) >= 30
    assert "GET /api/v1/paths" in dict(operations) and "GET /health" in dict(operations)
    for name, op in operations:
        assert (op.get("summary") or "").strip(), f"{name} has no summary"
        assert (op.get("description") or "").strip(), f"{name} has no description"
        assert op.get("tags"), f"{name} has no tag"
        for param in op.get("parameters", []):
            assert (param.get("description") or "").strip(), (
                f"{name}: parameter {param['name']} has no description"
            )
    assert {t["name"] for t in spec.get("tags", [])} >= {t for _, op in operations for t in op["tags"]}
    assert all(t.get("description") for t in spec["tags"])
