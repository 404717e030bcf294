"""A small NGSI-LD broker for tests: real HTTP, an in-memory store, every body checked against the ETSI schemas.

Run it with ``uvicorn --factory tests.ngsild_double.app:create_app`` (the
corpus folder comes from ``MIMBRIDGE_CORPUS``). It serves the subset of the
NGSI-LD API (clause 6) that mimbridge's client uses:

* ``GET /ngsi-ld/v1/entities``: ``type``, ``id``, ``q`` (a subset), geo-query
  (``near;maxDistance``/``minDistance``, ``within``, ``intersects``, ... with
  shapely), ``attrs``, ``limit``/``offset``, ``count`` (``NGSILD-Results-Count``)
  and a ``Link: <...>; rel="next"`` header (switchable);
* ``POST /ngsi-ld/v1/entityOperations/upsert``: 201 / 204 / 207 with a
  BatchOperationResult; each entity is checked on its own, so one bad entity
  fails alone as a broker reports it;
* ``GET`` and ``POST /ngsi-ld/v1/temporal/entities``;
* ``POST /ngsi-ld/v1/subscriptions`` and ``DELETE .../{id}``; on every upsert
  matching subscriptions are notified over HTTP.

Every request (query parameters against the OpenAPI, headers against clause
6.3.5, bodies against the schemas of :mod:`.schemas`) and every response and
notification body is validated; failures answer 400 ProblemDetails (for
requests) and are all recorded. Control endpoints under ``/_double/`` (not
NGSI-LD) expose the records: ``violations``, ``requests``, ``notifications``,
and ``reset`` / ``config`` (``{"next_links": false}``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .schemas import Schemas, Violation
from .store import QueryError, Store, match_q, now, project, types_of

API = "/ngsi-ld/v1"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
MAX_LIMIT = 1000
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_LINK = re.compile(r'^\s*<([^>]+)>\s*((?:;\s*[A-Za-z]+="?[^";]*"?\s*)*)$')


class Rejected(Exception):
    def __init__(self, status: int, kind: str, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.errors = status, kind, detail, errors or [detail]


class Double:
    """State of one double: schemas, store and the records the tests read."""

    def __init__(self, corpus: Path) -> None:
        self.schemas = Schemas(corpus)
        self.reset()

    def reset(self) -> None:
        self.store = Store()
        self.violations: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.next_links = True

    def violation(self, where: str, what: str, errors: list[str]) -> None:
        self.violations.append(Violation(where, what, errors).to_dict())

    # --- responses, validated before they leave ---

    def respond(self, status: int, body: Any, *, ref: str | None, what: str, ld: bool = False,
                headers: dict[str, str] | None = None, background: BackgroundTask | None = None) -> Response:
        if ref is not None:
            items = body if ref in ("entity", "temporal") else [body]
            errs = [e for item in items for e in self.schemas.errors(ref, item, context=ld)]
            if ref in ("entity", "temporal") and not isinstance(body, list):
                errs.append("$: a query result is a JSON array")
            if errs:
                self.violation("response", what, errs)
        if body is None:
            return Response(status_code=status, headers=headers, background=background)
        media = "application/ld+json" if ld else "application/json"
        return JSONResponse(body, status_code=status, headers=headers, media_type=media, background=background)

    def problem(self, rej: Rejected, what: str) -> Response:
        body = {"type": ERRORS + rej.kind, "title": rej.kind, "status": rej.status, "detail": rej.detail[:1000]}
        return self.respond(rej.status, body, ref="api:ProblemDetails", what=what)

    # --- request checks (clause 6.3.5 headers, OpenAPI parameters, schemas) ---

    def link_context(self, request: Request) -> str | None:
        link = request.headers.get("link")
        if link is None:
            return None
        m = _LINK.match(link)
        params = dict(re.findall(r';\s*([A-Za-z]+)="?([^";]*)"?', m.group(2))) if m else {}
        if not m or params.get("rel") != CONTEXT_REL or params.get("type") != "application/ld+json":
            raise Rejected(400, "BadRequestData", f"Link header is not a JSON-LD context link: {link!r}")
        return m.group(1)

    def check(self, request: Request, method: str, path: str) -> tuple[str | None, bool]:
        """Validate parameters and headers; return (Link context, whether the response is JSON-LD)."""
        errors = self.schemas.check_parameters(method, path, list(request.query_params.multi_items()))
        if errors:
            raise Rejected(400, "BadRequestData", "; ".join(errors), errors)
        ctx = self.link_context(request)
        accept = request.headers.get("accept", "*/*")
        if method == "get":
            ld = "application/ld+json" in accept
            if not ld and not any(a in accept for a in ("application/json", "*/*")):
                raise Rejected(406, "NotAcceptable", f"the double answers JSON or JSON-LD, not {accept!r}")
            return ctx, ld
        return ctx, False

    async def body(self, request: Request, ctx: str | None) -> tuple[Any, bool]:
        """Parse a POST body; return (JSON, whether it is JSON-LD). Mixing Link and @context is refused."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip()
        if ctype not in ("application/json", "application/ld+json"):
            raise Rejected(415, "UnsupportedMediaType", f"Content-Type {ctype!r} is not JSON or JSON-LD")
        try:
            data = json.loads(await request.body())
        except ValueError as exc:
            raise Rejected(400, "InvalidRequest", f"body is not JSON: {exc}") from exc
        ld = ctype == "application/ld+json"
        items = data if isinstance(data, list) else [data]
        has = [isinstance(i, dict) and "@context" in i for i in items]
        if ld and ctx is not None:
            raise Rejected(400, "BadRequestData", "application/ld+json with a Link context header (clause 6.3.5)")
        if not ld and any(has):
            raise Rejected(400, "BadRequestData", "application/json body with an @context member (clause 6.3.5)")
        return data, ld


def _corpus() -> Path:
    env = os.environ.get("MIMBRIDGE_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def create_app(corpus: Path | None = None) -> Starlette:
    """The ASGI app (a factory for ``uvicorn --factory``)."""
    d = Double(corpus or _corpus())
    client = httpx.AsyncClient(timeout=10.0)

    def guard(method: str, path: str):
        def wrap(fn):
            async def endpoint(request: Request) -> Response:
                what = f"{request.method} {request.url.path}"
                try:
                    ctx, ld = d.check(request, method, path)
                    return await fn(request, ctx, ld)
                except Rejected as rej:
                    if rej.status == 400:
                        d.violation("request", what, rej.errors)
                    return d.problem(rej, what)
                except QueryError as exc:
                    d.violation("request", what, [str(exc)])
                    return d.problem(Rejected(400, "BadRequestData", str(exc)), what)
            return endpoint
        return wrap

    def page(request: Request, total: int, offset: int, n: int, headers: dict[str, str], count: bool) -> None:
        if count:
            headers["NGSILD-Results-Count"] = str(total)
        if d.next_links and offset + n < total and n > 0:
            nxt = request.url.include_query_params(offset=offset + n)
            headers["Link"] = f'<{nxt.path}?{nxt.query}>; rel="next"; type="application/ld+json"'

    def limits(request: Request) -> tuple[int, int]:
        qp = request.query_params
        limit, offset = int(qp.get("limit", 20)), int(qp.get("offset", 0))
        if limit > MAX_LIMIT:
            raise Rejected(400, "BadRequestData", f"limit {limit} is above the maximum {MAX_LIMIT}")
        if limit == 0 and qp.get("count") != "true":
            raise Rejected(400, "BadRequestData", "limit=0 is only allowed with count=true")
        return limit, offset

    def csv(value: str | None) -> list[str] | None:
        return value.split(",") if value else None

    def names(value: str | None) -> list[str] | None:
        """Attribute names: IRIs of the core context's default vocabulary compact to their term."""
        return [a.removeprefix(DEFAULT_VOCAB) for a in value.split(",")] if value else None

    @guard("get", "/entities")
    async def query_entities(request: Request, ctx: str | None, ld: bool) -> Response:
        qp = request.query_params
        geo = None
        if any(k in qp for k in ("georel", "geometry", "coordinates")):
            if not all(k in qp for k in ("georel", "geometry", "coordinates")):
                raise Rejected(400, "BadRequestData", "a geo-query needs georel, geometry and coordinates")
            geo = {"georel": qp["georel"], "geometry": qp["geometry"], "coordinates": json.loads(qp["coordinates"]),
                   "geoproperty": qp.get("geoproperty")}
        if not any(k in qp for k in ("type", "id", "q", "attrs", "georel")):
            raise Rejected(400, "BadRequestData", "Query Entities needs type, id, q, attrs or a geo-query (5.7.2)")
        limit, offset = limits(request)
        hits = d.store.query(types=csv(qp.get("type")), ids=csv(qp.get("id")), q=qp.get("q"), geo=geo,
                             attrs=names(qp.get("attrs")))
        chosen = hits[offset:offset + limit]
        body = []
        for rec in chosen:
            e = project(rec.entity, names(qp.get("attrs")))
            if ld:
                e["@context"] = ctx or rec.context or CORE
            body.append(e)
        headers: dict[str, str] = {}
        page(request, len(hits), offset, len(chosen), headers, qp.get("count") == "true")
        if not ld and ctx:
            headers["Link"] = ", ".join(filter(None, [headers.get("Link"), f'<{ctx}>; rel="{CONTEXT_REL}"; '
                                                      'type="application/ld+json"']))
        return d.respond(200, body, ref="entity", what="GET /entities", ld=ld, headers=headers)

    @guard("post", "/entityOperations/upsert")
    async def upsert(request: Request, ctx: str | None, ld: bool) -> Response:
        data, ld = await d.body(request, ctx)
        if not isinstance(data, list) or not data:
            raise Rejected(400, "BadRequestData", "Batch Entity Upsert takes a non-empty JSON array of entities")
        update = request.query_params.get("options") == "update"
        created, success, errors, changed = [], [], [], []
        for n, entity in enumerate(data):
            errs = d.schemas.errors("entity", entity, context=ld)
            eid = entity.get("id") if isinstance(entity, dict) and isinstance(entity.get("id"), str) else None
            eid = eid if eid and _URI.match(eid) else None
            if errs:
                d.violation("request", f"POST upsert entity {eid or n}", errs)
                errors.append({"entityId": eid or f"urn:ngsi-ld:Unidentified:{n}", "error": {
                    "type": ERRORS + "BadRequestData", "title": "BadRequestData", "status": 400,
                    "detail": "; ".join(errs)[:1000]}})
                continue
            if ctx and not ld:
                entity = {**entity, "@context": ctx}
            new, attrs = d.store.upsert(entity, update=update)
            success.append(eid)
            changed.append((eid, attrs))
            if new:
                created.append(eid)
        task = BackgroundTask(notify, changed) if changed else None
        if errors:
            return d.respond(207, {"success": success, "errors": errors}, ref="api:BatchOperationResult",
                             what="POST upsert 207", background=task)
        if created:
            return d.respond(201, created, ref="api:_UpsertCreated", what="POST upsert 201", background=task)
        return d.respond(204, None, ref=None, what="POST upsert 204", background=task)

    @guard("post", "/temporal/entities")
    async def upsert_temporal(request: Request, ctx: str | None, ld: bool) -> Response:
        data, ld = await d.body(request, ctx)
        errs = d.schemas.errors("temporal", data, context=ld)
        if errs:
            raise Rejected(400, "BadRequestData", "; ".join(errs), errs)
        new = data["id"] not in d.store.history
        if ctx and not ld:
            data = {**data, "@context": ctx}
        d.store.record_history(data, now())
        headers = {"Location": f"{API}/temporal/entities/{data['id']}"}
        return d.respond(201 if new else 204, None, ref=None, what="POST temporal", headers=headers)

    @guard("get", "/temporal/entities")
    async def query_temporal(request: Request, ctx: str | None, ld: bool) -> Response:
        qp = request.query_params
        if qp.get("options"):
            raise Rejected(501, "OperationNotSupported", "the double serves the normalized temporal representation")
        limit, offset = limits(request)
        hits = d.store.temporal(types=csv(qp.get("type")), timerel=qp["timerel"], time_at=qp["timeAt"],
                                end_time_at=qp.get("endTimeAt"), timeproperty=qp.get("timeproperty", "observedAt"),
                                attrs=csv(qp.get("attrs")))
        chosen = hits[offset:offset + limit]
        body = [{**h["entity"], "@context": ctx or h["context"] or CORE} if ld else h["entity"] for h in chosen]
        headers: dict[str, str] = {}
        page(request, len(hits), offset, len(chosen), headers, False)
        return d.respond(200, body, ref="temporal", what="GET /temporal/entities", ld=ld, headers=headers)

    @guard("post", "/subscriptions")
    async def subscribe(request: Request, ctx: str | None, ld: bool) -> Response:
        data, ld = await d.body(request, ctx)
        errs = d.schemas.errors("api:Subscription.Input", data, context=ld)
        if errs:
            raise Rejected(400, "BadRequestData", "; ".join(errs), errs)
        sid = data.get("id") or f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
        if sid in d.store.subscriptions:
            raise Rejected(409, "AlreadyExists", f"subscription {sid} exists")
        d.store.subscriptions[sid] = {**data, "id": sid, "@context": data.get("@context", ctx)}
        return d.respond(201, None, ref=None, what="POST /subscriptions",
                         headers={"Location": f"{API}/subscriptions/{sid}"})

    @guard("delete", "/subscriptions/{subscriptionId}")
    async def unsubscribe(request: Request, ctx: str | None, ld: bool) -> Response:
        sid = request.path_params["sid"]
        if d.store.subscriptions.pop(sid, None) is None:
            raise Rejected(404, "ResourceNotFound", f"no subscription {sid}")
        return d.respond(204, None, ref=None, what="DELETE /subscriptions")

    def selected(sub: dict[str, Any], entity: dict[str, Any], attrs: list[str]) -> bool:
        if sub.get("isActive") is False:
            return False
        sels = sub.get("entities") or [{}]
        if not any((not s.get("type") or s["type"] in types_of(entity)) and (not s.get("id") or s["id"] == entity["id"])
                   and (not s.get("idPattern") or re.fullmatch(s["idPattern"], entity["id"])) for s in sels):
            return False
        watched = sub.get("watchedAttributes")
        if watched and not set(watched) & set(attrs):
            return False
        return not sub.get("q") or match_q(entity, sub["q"])

    async def notify(changed: list[tuple[str, list[str]]]) -> None:
        for sid, sub in list(d.store.subscriptions.items()):
            params = sub["notification"]
            endpoint = params["endpoint"]
            data = []
            for eid, attrs in changed:
                rec = d.store.entities[eid]
                if selected(sub, rec.entity, attrs):
                    data.append(project(rec.entity, params.get("attributes")))
            if not data:
                continue
            ld = endpoint.get("accept", "application/json") == "application/ld+json"
            ctx = sub.get("@context") or d.store.entities[data[0]["id"]].context or CORE
            body: dict[str, Any] = {"id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}", "type": "Notification",
                                    "subscriptionId": sid, "notifiedAt": now(), "data": data}
            headers = {"Content-Type": "application/ld+json" if ld else "application/json"}
            if ld:
                body["@context"] = ctx
            elif isinstance(ctx, str):
                headers["Link"] = f'<{ctx}>; rel="{CONTEXT_REL}"; type="application/ld+json"'
            errs = d.schemas.errors("notification", body, context=ld)
            if errs:
                d.violation("notification", sid, errs)
            record: dict[str, Any] = {"subscriptionId": sid, "ids": [e["id"] for e in data], "status": None}
            try:
                resp = await client.post(endpoint["uri"], content=json.dumps(body), headers=headers)
                record["status"] = resp.status_code
            except httpx.HTTPError as exc:
                record["error"] = str(exc)
            d.notifications.append(record)

    async def unsupported(request: Request) -> Response:
        what = f"{request.method} {request.url.path}"
        d.violation("request", what, ["operation not implemented by the double"])
        return d.problem(Rejected(501, "OperationNotSupported", f"{what} is not served by the double"), what)

    async def control(request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "POST" and name == "reset":
            d.reset()
            return JSONResponse({"ok": True})
        if request.method == "POST" and name == "config":
            d.next_links = bool((await request.json()).get("next_links", True))
            return JSONResponse({"next_links": d.next_links})
        if name in ("violations", "requests", "notifications", "health"):
            return JSONResponse(getattr(d, name, {"ok": True}))
        return JSONResponse({"error": name}, status_code=404)

    class Recorder(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next):
            response = await call_next(request)
            if request.url.path.startswith(API):
                d.requests.append({
                    "method": request.method, "path": request.url.path, "query": str(request.url.query),
                    "status": response.status_code,
                    "headers": {k: request.headers[k] for k in ("accept", "content-type", "link", "ngsild-tenant")
                                if k in request.headers},
                })
            return response

    routes = [
        Route(f"{API}/entities", query_entities, methods=["GET"]),
        Route(f"{API}/entityOperations/upsert", upsert, methods=["POST"]),
        Route(f"{API}/temporal/entities", query_temporal, methods=["GET"]),
        Route(f"{API}/temporal/entities", upsert_temporal, methods=["POST"]),
        Route(f"{API}/subscriptions", subscribe, methods=["POST"]),
        Route(f"{API}/subscriptions/", subscribe, methods=["POST"]),
        Route(API + "/subscriptions/{sid:path}", unsubscribe, methods=["DELETE"]),
        Route(API + "/{rest:path}", unsupported, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
        Route("/_double/{name}", control, methods=["GET", "POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        await client.aclose()

    return Starlette(routes=routes, middleware=[Middleware(Recorder)], lifespan=lifespan)
