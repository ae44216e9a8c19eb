"""Docs stay true: the data dictionary, the settings table and the command help."""

from __future__ import annotations

from pathlib import Path

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
