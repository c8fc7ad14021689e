"""Concurrent ticket submissions with httpx.AsyncClient: shared by the intake benchmark and
the hostile load tests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, successful answers only
    statuses: dict[int, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)  # tracking codes of the 201 answers
    ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # transport errors
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 201) + len(self.errors)


async def _submit_all(
    base_url: str, tokens: list[str], payloads: list[dict], concurrency: int, timeout: float
) -> LoadResult:
    result = LoadResult()
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient, token: str | None) -> None:
        headers = {"Authorization": f"Token {token}"} if token else {}
        while True:
            try:
                payload = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            try:
                response = await client.post("/api/v1/tickets/", json=payload, headers=headers)
            except httpx.HTTPError as exc:
                result.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latency = time.perf_counter() - t0
            result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
            if response.status_code == 201:
                body = response.json()
                result.latencies.append(latency)
                result.codes.append(body["code"])
                if "id" in body:
                    result.ids.append(body["id"])

    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(client_loop(client, tokens[i % len(tokens)] if tokens else None) for i in range(concurrency))
        )
        result.elapsed = time.perf_counter() - started
    return result


def submit_all(
    base_url: str, *, tokens: list[str], payloads: list[dict], concurrency: int, timeout: float = 60.0
) -> LoadResult:
    """POST every payload to /api/v1/tickets/ from ``concurrency`` clients, each with its own token."""
    return asyncio.run(_submit_all(base_url, tokens, payloads, concurrency, timeout))


def payloads_for(points: list[tuple[float, float]], categories: list[str], n: int, *, tag: str = "") -> list[dict]:
    """n realistic submissions spread over the given points and categories."""
    return [
        {
            "category": categories[i % len(categories)],
            "title": f"井盖缺失 {tag}{i}",
            "description": f"路口井盖缺失，夜间危险，请尽快处理。{tag}{i}",
            "lat": points[(i * 7) % len(points)][0],
            "lng": points[(i * 7) % len(points)][1],
        }
        for i in range(n)
    ]
