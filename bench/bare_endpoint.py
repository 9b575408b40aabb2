"""The baseline of the alert storm: the same server stack as `kuber serve` (Starlette under
uvicorn, one process, the same uvicorn options) with one route that only parses the JSON body
and answers 200. It stores nothing, checks nothing else, and is never part of Kuber.
Run: `python bench/bare_endpoint.py --port N`.
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def webhook(request: Request) -> Response:
    payload = json.loads(await request.body())
    return JSONResponse({"status": "parsed", "alerts": len(payload.get("alerts", []))})


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/alertmanager/webhook", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As `bot.server.serve` runs Kuber: no log config, no access log.
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
