"""The API documentation page renders in the browser with nothing loaded from other hosts."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_offline(server: str, tab: Tab) -> None:
    tab.goto(server + "/docs")
    # Swagger UI drew the operations it read from /openapi.json
    tab.page.locator(".opblock-summary-path", has_text="/api/v1/search").first.wait_for()
    assert tab.page.locator(".opblock").count() >= 30
    assert tab.page.locator(".information-container .title").inner_text().startswith("cryptokg")
    assert any(u.endswith("/static/docs/swagger-ui-bundle.js") for u in tab.requests)
    assert any(u.endswith("/openapi.json") for u in tab.requests)
    tab.screenshot("docs")
    tab.assert_clean()


def test_redoc_is_not_offered(server: str, tab: Tab) -> None:
    # ReDoc's page would show a logo from cdn.redoc.ly; /docs is the documentation.
    response = tab.page.request.get(server + "/redoc")
    assert response.status == 404
    assert tab.page.request.get(server + "/static/docs/redoc.standalone.js").status == 404
