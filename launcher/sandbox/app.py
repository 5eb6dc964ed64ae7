"""The sandbox ASGI app: the four provider APIs, their web pages and the control API."""

from __future__ import annotations

import threading

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.bluejeans import BlueJeansApi
from launcher.sandbox.faults import (
    BadBody,
    FaultMiddleware,
    error_response,
    install_log_filter,
    provider_for_path,
    read_json,
)
from launcher.sandbox.ics import DemoIcs
from launcher.sandbox.joinme import JoinMeApi
from launcher.sandbox.joinme_auth import JoinMeAuth
from launcher.sandbox.pages import Pages, not_found_page
from launcher.sandbox.skype import SkypeApi
from launcher.sandbox.state import PROVIDERS, Fault, SandboxState
from launcher.sandbox.whereby import WherebyApi

_WEB_PROVIDERS = {
    "/bluejeans/": "BlueJeans",
    "/joinme/": "join.me",
    "/whereby/": "Whereby",
    "/skype/": "Skype for Business",
}


def create_app(state: SandboxState | None = None) -> Starlette:
    """Build the sandbox app over *state* (a fresh demo state when ``None``).

    ``app.state.sandbox`` is the :class:`SandboxState`; ``app.state.closing`` is a
    ``threading.Event`` that ends long waits (latency faults, P-GETs) at shutdown.
    """
    state = state if state is not None else SandboxState()
    closing = threading.Event()
    control = _Control(state)
    routes: list[BaseRoute] = [
        *BlueJeansApi(state).routes(),
        *JoinMeApi(state).routes(),
        *JoinMeAuth(state).routes(),
        *WherebyApi(state).routes(),
        *SkypeApi(state, closing).routes(),
        *Pages(state).routes(),
        *DemoIcs(state).routes(),
        Mount("/_sandbox", routes=control.routes()),
    ]
    install_log_filter()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, state=state, closing=closing)],
        exception_handlers={404: _not_found, 405: _method_not_allowed},
    )
    app.state.sandbox = state
    app.state.closing = closing
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    path = request.url.path
    provider = provider_for_path(path)
    if provider is not None:
        return error_response(provider, 404, "The requested resource does not exist", request.scope)
    if path.startswith("/_sandbox/"):
        return JSONResponse({"error": "not found"}, status_code=404)
    label = next((name for prefix, name in _WEB_PROVIDERS.items() if path.startswith(prefix)), None)
    return not_found_page(label or "Meeting Launcher")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    provider = provider_for_path(request.url.path)
    message = "The method is not allowed for this resource"
    if provider is not None:
        return error_response(provider, 405, message, request.scope, headers)
    return JSONResponse({"error": message}, status_code=405, headers=headers)


class _Control:
    """``/_sandbox``: faults, stats and bulk data for tests and benchmarks."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/faults", self.list_faults, methods=["GET"]),
            Route("/faults", self.clear_all, methods=["DELETE"]),
            Route("/faults/{provider}", self.set_fault, methods=["PUT"]),
            Route("/faults/{provider}", self.clear_one, methods=["DELETE"]),
            Route("/stats", self.stats, methods=["GET"]),
            Route("/stats/reset", self.reset_stats, methods=["POST"]),
            Route("/bulk", self.bulk, methods=["POST"]),
            Route("/auth/{provider}", self.auth, methods=["POST"]),
        ]

    async def list_faults(self, request: Request) -> Response:
        with self.state.lock:
            faults = {name: fault.to_json() for name, fault in self.state.faults.items()}
        return JSONResponse({"faults": faults})

    async def set_fault(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return JSONResponse({"error": f"unknown provider {provider!r}"}, status_code=404)
        try:
            fault = Fault.from_json(await read_json(request))
        except (BadBody, ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        self.state.set_fault(provider, fault)
        return JSONResponse({"provider": provider, "fault": fault.to_json()})

    async def clear_all(self, request: Request) -> Response:
        self.state.clear_faults()
        return Response(status_code=204)

    async def clear_one(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return JSONResponse({"error": f"unknown provider {provider!r}"}, status_code=404)
        self.state.clear_faults(provider)
        return Response(status_code=204)

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self.state.stats())

    async def reset_stats(self, request: Request) -> Response:
        self.state.reset_stats()
        return Response(status_code=204)

    async def auth(self, request: Request) -> Response:
        """Turn sign-in knobs (see ``SandboxState.auth_knobs``).

        Body: ``{"token_ttl": s, "expire_tokens": true, "stale_tokens": true,
        "drop_applications": true}``, each where the provider has it.
        """
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return JSONResponse({"error": f"unknown provider {provider!r}"}, status_code=404)
        try:
            body = await read_json(request)
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            self.state.auth_knobs(provider, body)
        except (BadBody, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"provider": provider, "applied": sorted(body)})

    async def bulk(self, request: Request) -> Response:
        try:
            body = await read_json(request)
        except BadBody as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        provider, count = body.get("provider"), body.get("count")
        if not isinstance(provider, str) or provider not in PROVIDERS:
            return JSONResponse(
                {"error": f"provider must be one of {', '.join(PROVIDERS)}"}, status_code=400
            )
        if isinstance(count, bool) or not isinstance(count, int):
            return JSONResponse({"error": "count must be an integer"}, status_code=400)
        try:
            added = self.state.bulk(provider, count)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"provider": provider, "added": added})
