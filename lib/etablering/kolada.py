"""HTTP-klient för Koladas API v3 (https://api.kolada.se/v3/).

Svaren ser ut så här (v3):

    {"count": 2, "next_url": "https://api.kolada.se/v3/data?...&page=2" | null,
     "previous_url": ..., "values": [
        {"kpi": "N01951", "municipality": "0114", "period": 2018,
         "values": [{"gender": "T", "count": 1, "status": "", "value": 45550.0,
                     "isdeleted": false}, ...]}]}

Vissa källor beskriver raderna med `municipality_id`/`year` och platta värden
(gender, count, status, value direkt på raden); båda formerna godtas.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pathlib
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode, urljoin

import pandas as pd
import requests

from .errors import EtableringError
from .origin import Origin

DEFAULT_BASE_URL = "https://api.kolada.se/v3/"

COLUMNS = [
    "kpi",
    "area_code",
    "year",
    "gender",
    "value",
    "count",
    "status",
    "origin",
    "retrieved",
    "source_file",
]
KEYS = ["kpi", "area_code", "year", "gender"]
GENDERS = {"T", "K", "M"}


class KoladaError(EtableringError):
    """Fel vid hämtning från Kolada."""


class KoladaOfflineError(KoladaError):
    """Ingen förbindelse med Kolada (anslutning, DNS eller timeout) efter alla försök."""


class KoladaGoneError(KoladaError):
    """HTTP 410: API-versionen är avvecklad (som v2 numera)."""


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _first(row: dict, *keys: str):
    """Första icke-tomma fältet; källorna skiljer sig åt om fältnamnen."""
    return next((row[k] for k in keys if row.get(k) is not None), None)


def _num(x) -> float:
    return math.nan if x is None or x == "" else float(x)


class KoladaClient:
    # Batchgränser så att URL:erna håller sig korta; Kolada vägrar långa listor.
    KPI_BATCH = 25
    MUNICIPALITY_BATCH = 100
    YEAR_BATCH = 25
    PER_PAGE = 5000  # API:ets maximum

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        cache_dir: pathlib.Path | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        # Avslutande snedstreck behövs för att urljoin ska lägga "data" under /v3/.
        self.base_url = base_url.rstrip("/") + "/"
        self.cache_dir = pathlib.Path(cache_dir) if cache_dir is not None else None
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.session = session or requests.Session()
        self.sleep = sleep

    # ---- publikt API ------------------------------------------------------

    def fetch_values(
        self,
        kpi_ids: list[str],
        municipality_ids: list[str] | None = None,
        years: list[int] | None = None,
    ) -> pd.DataFrame:
        """Hämta värden som en lång tabell (en rad per kpi, område, år och kön)."""
        # En ensam sträng skulle annars delas upp tecken för tecken.
        if isinstance(kpi_ids, str):
            kpi_ids = [kpi_ids]
        if isinstance(municipality_ids, str):
            municipality_ids = [municipality_ids]
        kpi_ids = list(dict.fromkeys(kpi_ids))
        if not kpi_ids:
            raise KoladaError("Minst ett nyckeltals-id (kpi_id) krävs.")
        mids = list(dict.fromkeys(str(m).zfill(4) for m in municipality_ids or []))
        yrs = list(dict.fromkeys(int(y) for y in years or []))

        rows: list[dict] = []
        for kb in _chunks(kpi_ids, self.KPI_BATCH):
            for mb in _chunks(mids, self.MUNICIPALITY_BATCH):
                for yb in _chunks(yrs, self.YEAR_BATCH):
                    # Alltid municipality_id: "municipality=" ger tyst en tom lista i v3.
                    params = {"kpi_id": ",".join(kb)}
                    if mb:
                        params["municipality_id"] = ",".join(mb)
                    if yb:
                        params["year"] = ",".join(map(str, yb))
                    for url, page, retrieved in self._pages("data", params):
                        rows.extend(self._parse_rows(page["values"], url, retrieved))

        df = pd.DataFrame(rows, columns=COLUMNS)
        df = df.astype(
            {
                "kpi": str,
                "area_code": str,
                "year": "int64",
                "gender": str,
                "value": "float64",
                "count": "float64",
                "status": str,
                "origin": str,
                "retrieved": str,
                "source_file": str,
            }
        )
        # Överlapp kan uppstå om datat ändras mellan sidor; senast hämtade raden vinner.
        df = df.drop_duplicates(subset=KEYS, keep="last")
        return df.sort_values(KEYS, kind="stable").reset_index(drop=True)

    def fetch_kpis(self, kpi_ids: list[str]) -> list[dict]:
        """Metadata för nyckeltal (endpoint kpi/{id,id,...})."""
        out: list[dict] = []
        if not kpi_ids:  # "kpi/" utan id skulle hämta hela katalogen
            return out
        for kb in _chunks(list(dict.fromkeys(kpi_ids)), self.KPI_BATCH):
            out.extend(self._all_values("kpi/" + ",".join(kb), {}))
        return out

    def fetch_municipalities(self) -> list[dict]:
        """Alla kommuner och regioner (endpoint municipality); id behålls som text."""
        out = self._all_values("municipality", {})
        for m in out:
            m["id"] = str(m.get("id", "")).zfill(4)
        return out

    # ---- paginering, cache och HTTP ----------------------------------------

    def _all_values(self, path: str, params: dict) -> list[dict]:
        return [v for _, page, _ in self._pages(path, params) for v in page["values"]]

    def _pages(self, path: str, params: dict) -> Iterator[tuple[str, dict, str]]:
        """Följ next_url tills den saknas; ger (url, sida, hämtningstid) per sida."""
        query = urlencode({**params, "per_page": self.PER_PAGE}, safe=",")
        url: str | None = urljoin(self.base_url, path) + "?" + query
        seen: set[str] = set()
        while url:
            if url in seen:  # skydd mot en server som pekar tillbaka på samma sida
                raise KoladaError(f"Kolada: next_url pekar i cirkel ({url}).")
            seen.add(url)
            page, retrieved = self._get_page(url)
            yield url, page, retrieved
            nxt = page.get("next_url")
            # next_url kan vara absolut eller relativ till sidan vi just hämtade.
            url = urljoin(url, nxt) if nxt else None

    def _cache_path(self, url: str) -> pathlib.Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _get_page(self, url: str) -> tuple[dict, str]:
        path = self._cache_path(url)
        if path is not None and path.exists():
            cached = json.loads(path.read_text(encoding="utf-8"))
            return cached["page"], cached["retrieved"]

        page = self._request(url)
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            raise KoladaError(
                f"Oväntat svar från Kolada: 'values' saknas eller är ingen lista ({url})."
            )
        retrieved = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        if path is not None:
            # Atomisk skrivning: en avbruten körning får aldrig lämna en halv cachefil.
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"url": url, "retrieved": retrieved, "page": page}, fh)
                os.replace(tmp, path)
            except BaseException:
                pathlib.Path(tmp).unlink(missing_ok=True)
                raise
        return page, retrieved

    def _request(self, url: str):
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                resp = self.session.get(
                    url, timeout=self.timeout, headers={"Accept": "application/json"}
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                if last:
                    raise KoladaOfflineError(
                        f"Ingen anslutning till Kolada ({url}) efter {self.retries + 1} försök: "
                        f"{exc}. Arbeta offline genom att läsa in data från fil med "
                        "`etablering data import`."
                    ) from exc
            else:
                status = resp.status_code
                if status == 410:
                    raise KoladaGoneError(
                        f"Kolada svarade 410 Gone för {url}: den här API-versionen är avvecklad "
                        f"och finns inte längre. Använd {DEFAULT_BASE_URL}."
                    )
                if status < 400:
                    try:
                        return resp.json()
                    except ValueError as exc:
                        raise KoladaError(f"Kolada svarade med ogiltig JSON ({url}).") from exc
                # 5xx och 429 är ofta tillfälliga; övriga 4xx är fel i frågan och upprepas inte.
                if last or not (status >= 500 or status == 429):
                    raise KoladaError(f"Kolada svarade HTTP {status} för {url}.")
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    # ---- tolkning av rader --------------------------------------------------

    @staticmethod
    def _parse_rows(values: list, url: str, retrieved: str) -> Iterator[dict]:
        for row in values:
            try:
                area = _first(row, "municipality_id", "municipality")
                year = _first(row, "year", "period")
                if row.get("kpi") is None or area is None or year is None:
                    raise KeyError("kpi/municipality/period")
                # Nästlad v3-form: en lista per kön; platt form: raden är själva värdet.
                entries = row["values"] if isinstance(row.get("values"), list) else [row]
                for e in entries:
                    if e.get("isdeleted"):  # borttagna värden ska inte användas
                        continue
                    gender = str(e.get("gender") or "T").upper()
                    if gender not in GENDERS:
                        raise ValueError(f"okänt kön {gender!r}")
                    yield {
                        "kpi": str(row["kpi"]),
                        # Områdeskoder är text med fyra tecken ("0114", "0000" = riket).
                        "area_code": str(area).zfill(4),
                        "year": int(year),
                        "gender": gender,
                        "value": _num(e.get("value")),
                        "count": _num(e.get("count")),
                        "status": "" if e.get("status") is None else str(e["status"]),
                        "origin": Origin.KOLADA_API.value,
                        "retrieved": retrieved,
                        "source_file": "",
                    }
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise KoladaError(
                    f"Oväntad rad i svar från Kolada ({url}): {row!r} ({exc})"
                ) from exc
