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
import pathlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode, urljoin, urlsplit

import pandas as pd
import requests

from ..core import files
from ..core.errors import EtableringError
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


class KoladaBadResponseError(KoladaError):
    """Ett svar som inte kan stämma (fel nyckeltal, fel år, icke ändliga tal, negativa antal):
    det sparas varken i cachen eller i tabellerna."""


class KoladaLimitError(KoladaError):
    """En gräns för hämtningen nåddes (tid, sidor eller storlek): servern beter sig inte som
    Kolada."""


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _first(row: dict, *keys: str):
    """Första icke-tomma fältet; källorna skiljer sig åt om fältnamnen."""
    return next((row[k] for k in keys if row.get(k) is not None), None)


def _num(x) -> float:
    if isinstance(x, bool):
        raise ValueError(f"{x!r} är inget tal")
    value = math.nan if x is None or x == "" else float(x)
    if math.isinf(value):
        raise ValueError(f"{x!r} är inget ändligt tal")
    return value


CACHE_FORMAT = "etablering-kolada-cache 2"  # part of every key: older entries are never read


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
        cache_max_age: float = 24 * 3600,
        request_deadline: float = 120.0,
        run_deadline: float = 1800.0,
        max_pages: int = 200,
        max_requests: int = 2000,
        max_page_bytes: int = 64 * 1024 * 1024,
        max_total_bytes: int = 1024 * 1024 * 1024,
        cache_max_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        """`timeout` is per read; `request_deadline` bounds one request in total (a server
        that trickles a byte at a time), `run_deadline` the whole fetch. `max_pages` bounds
        one query's chain of next_url, `max_requests` the fetch; `max_page_bytes` one
        response and `max_total_bytes` all of them. Cached pages older than `cache_max_age`
        seconds are fetched again; the cache is kept under `cache_max_bytes`."""
        # Avslutande snedstreck behövs för att urljoin ska lägga "data" under /v3/.
        self.base_url = base_url.rstrip("/") + "/"
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KoladaError(
                f"{base_url!r} är ingen http- eller https-adress (t.ex. {DEFAULT_BASE_URL})."
            )
        self.cache_dir = pathlib.Path(cache_dir) if cache_dir is not None else None
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.session = session or requests.Session()
        self.sleep = sleep
        self.cache_max_age = cache_max_age
        self.request_deadline = request_deadline
        self.run_deadline = run_deadline
        self.max_pages = max_pages
        self.max_requests = max_requests
        self.max_page_bytes = max_page_bytes
        self.max_total_bytes = max_total_bytes
        self.cache_max_bytes = cache_max_bytes
        self._started = time.monotonic()
        self._requests = 0
        self._bytes = 0

    # ---- publikt API ------------------------------------------------------

    def fetch_values(
        self,
        kpi_ids: list[str],
        municipality_ids: list[str] | None = None,
        years: list[int] | None = None,
        check_rows: Callable[[list[dict], str], None] | None = None,
    ) -> pd.DataFrame:
        """Hämta värden som en lång tabell (en rad per kpi, område, år och kön).

        Varje sida kontrolleras innan den cachas eller används: bara de nyckeltal och år som
        efterfrågades, ändliga tal, inga negativa antal, och `check_rows(rader, url)` (t.ex.
        att områdena finns i kommunlistan) om den ges."""
        self._check_rows = check_rows
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
                    check = _Expected(kb, yb)
                    for url, page, retrieved in self._pages("data", params, check):
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

    def fetch_municipalities(self) -> list[dict]:
        """Alla kommuner och regioner (endpoint municipality); id behålls som text."""
        out = self._all_values("municipality", {})
        for m in out:
            m["id"] = str(m.get("id", "")).zfill(4)
        return out

    # ---- paginering, cache och HTTP ----------------------------------------

    def _all_values(self, path: str, params: dict) -> list[dict]:
        return [v for _, page, _ in self._pages(path, params) for v in page["values"]]

    def _pages(
        self, path: str, params: dict, check: _Expected | None = None
    ) -> Iterator[tuple[str, dict, str]]:
        """Följ next_url tills den saknas; ger (url, sida, hämtningstid) per sida."""
        query = urlencode({**params, "per_page": self.PER_PAGE}, safe=",")
        url: str | None = urljoin(self.base_url, path) + "?" + query
        seen: set[str] = set()
        while url:
            if url in seen:  # skydd mot en server som pekar tillbaka på samma sida
                raise KoladaError(f"Kolada: next_url pekar i cirkel ({url}).")
            if len(seen) >= self.max_pages:
                raise KoladaLimitError(
                    f"Kolada: över {self.max_pages} sidor för en och samma fråga ({url}); "
                    "servern ger en ny next_url för varje sida. Hämtningen avbröts."
                )
            seen.add(url)
            page, retrieved = self._get_page(url, check)
            yield url, page, retrieved
            nxt = page.get("next_url")
            # next_url kan vara absolut eller relativ till sidan vi just hämtade.
            url = self._same_server(urljoin(url, nxt)) if nxt else None

    def _same_server(self, url: str) -> str:
        """next_url must stay on the server the fetch was started against."""
        want, got = urlsplit(self.base_url), urlsplit(url)
        if (got.scheme, got.hostname, got.port) != (want.scheme, want.hostname, want.port):
            raise KoladaBadResponseError(
                f"Kolada: next_url pekar till en annan server ({url}); följs inte."
            )
        return url

    def _cache_path(self, url: str) -> pathlib.Path | None:
        if self.cache_dir is None:
            return None
        key = f"{CACHE_FORMAT}\n{url}"  # the url holds the whole query
        return self.cache_dir / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def _read_cache(self, path: pathlib.Path | None, url: str, check) -> tuple[dict, str] | None:
        """A cached page: only for this exact query, younger than cache_max_age, and still
        passing every check (an entry that does not is removed and fetched again)."""
        if path is None or not path.exists():
            return None
        try:
            if time.time() - path.stat().st_mtime > self.cache_max_age:
                path.unlink(missing_ok=True)
                return None
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached.get("format") != CACHE_FORMAT or cached.get("url") != url:
                return None
            page, retrieved = cached["page"], cached["retrieved"]
            self._check_page(page, url, check)
            return page, retrieved
        except (OSError, ValueError, KeyError, TypeError, KoladaError):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            return None

    def _get_page(self, url: str, check=None) -> tuple[dict, str]:
        path = self._cache_path(url)
        cached = self._read_cache(path, url, check)
        if cached is not None:
            return cached

        page = self._request(url)
        retrieved = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._check_page(page, url, check)  # before the cache: a bad page is never kept

        if path is not None:
            self._write_cache(
                path, {"format": CACHE_FORMAT, "url": url, "retrieved": retrieved, "page": page}
            )
        return page, retrieved

    def _check_page(self, page, url: str, check) -> None:
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            raise KoladaError(
                f"Oväntat svar från Kolada: 'values' saknas eller är ingen lista ({url})."
            )
        nxt = page.get("next_url")
        if nxt is not None and not isinstance(nxt, str):
            raise KoladaBadResponseError(f"Kolada: next_url är ingen adress ({url}).")
        if nxt:
            self._same_server(urljoin(url, nxt))
        if check is not None:
            rows = list(self._parse_rows(page["values"], url, ""))
            check(rows, url)
            if self._check_rows is not None:
                self._check_rows(rows, url)

    _check_rows: Callable[[list[dict], str], None] | None = None

    def _write_cache(self, path: pathlib.Path, entry: dict) -> None:
        # Atomisk skrivning: en avbruten körning får aldrig lämna en halv cachefil. En cache
        # som inte går att skriva (full disk) kostar bara tid.
        try:
            files.write_atomic(path, json.dumps(entry))
            self._prune_cache(path.parent)
        except OSError:
            pass

    def _prune_cache(self, folder: pathlib.Path) -> None:
        """Oldest entries go first once the cache is over cache_max_bytes."""
        entries = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*.json")]
        total = sum(size for _, size, _ in entries)
        for _, size, entry in sorted(entries):
            if total <= self.cache_max_bytes:
                break
            entry.unlink(missing_ok=True)
            total -= size

    def _request(self, url: str):
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self._before_request(url)
            try:
                status, body = self._get(url)
            except _Deadline as exc:  # not retried: the run would take retries × the deadline
                raise KoladaLimitError(f"Kolada: {exc} för {url}. Hämtningen avbröts.") from None
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
                if status == 410:
                    raise KoladaGoneError(
                        f"Kolada svarade 410 Gone för {url}: den här API-versionen är avvecklad "
                        f"och finns inte längre. Använd {DEFAULT_BASE_URL}."
                    )
                if status < 400:
                    try:
                        return json.loads(body, parse_constant=_no_constant)
                    except (ValueError, RecursionError) as exc:
                        raise KoladaError(f"Kolada svarade med ogiltig JSON ({url}).") from exc
                # 5xx och 429 är ofta tillfälliga; övriga 4xx är fel i frågan och upprepas inte.
                if last or not (status >= 500 or status == 429):
                    raise KoladaError(f"Kolada svarade HTTP {status} för {url}.")
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _before_request(self, url: str) -> None:
        if self._requests >= self.max_requests:
            raise KoladaLimitError(
                f"Kolada: över {self.max_requests} förfrågningar i en hämtning; avbröts ({url})."
            )
        if time.monotonic() - self._started > self.run_deadline:
            raise KoladaLimitError(
                f"Kolada: hämtningen har pågått i över {self.run_deadline:.0f} s; avbröts ({url})."
            )
        self._requests += 1

    def _get(self, url: str) -> tuple[int, bytes]:
        """One GET with a total deadline and a size bound; the body is read as it arrives, so a
        server that sends a byte every few seconds is cut off at the deadline (each read
        waits at most `timeout`), and one that sends gigabytes at the size bound."""
        by_run = self._run_left() < self.request_deadline
        deadline = time.monotonic() + min(self.request_deadline, self._run_left())
        resp = self.session.get(
            url, timeout=self.timeout, headers={"Accept": "application/json"}, stream=True
        )
        try:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_page_bytes:
                raise KoladaLimitError(self._too_big(url, int(declared)))
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise _Deadline(
                        f"hämtningen har pågått i över {self.run_deadline:.0f} s"
                        if by_run
                        else f"svaret tog över {self.request_deadline:.0f} s (servern skickar "
                        "för långsamt)"
                    )
                chunk = (
                    resp.raw.read1(65536) if hasattr(resp.raw, "read1") else resp.raw.read(65536)
                )
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_page_bytes:
                    raise KoladaLimitError(self._too_big(url, size))
                if self._bytes + size > self.max_total_bytes:
                    raise KoladaLimitError(
                        f"Kolada: över {self.max_total_bytes // 2**20} MB hämtat i en hämtning; "
                        f"avbröts ({url})."
                    )
                chunks.append(chunk)
            self._bytes += size
            return resp.status_code, b"".join(chunks)
        finally:
            resp.close()

    def _run_left(self) -> float:
        return max(0.0, self.run_deadline - (time.monotonic() - self._started))

    def _too_big(self, url: str, size: int) -> str:
        return (
            f"Kolada: ett svar på över {self.max_page_bytes // 2**20} MB ({size // 2**20} MB) för "
            f"{url}; ingen sida från Kolada är så stor. Hämtningen avbröts."
        )

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
                    count = _num(e.get("count"))
                    if count < 0:
                        raise ValueError(f"negativt antal {e.get('count')!r}")
                    yield {
                        "kpi": str(row["kpi"]),
                        # Områdeskoder är text med fyra tecken ("0114", "0000" = riket).
                        "area_code": str(area).zfill(4),
                        "year": int(year),
                        "gender": gender,
                        "value": _num(e.get("value")),
                        "count": count,
                        "status": "" if e.get("status") is None else str(e["status"]),
                        "origin": Origin.KOLADA_API.value,
                        "retrieved": retrieved,
                        "source_file": "",
                    }
            except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as exc:
                shown = repr(row)
                shown = shown if len(shown) <= 300 else shown[:300] + "…"
                raise KoladaBadResponseError(
                    f"Oväntad rad i svar från Kolada ({url}): {shown} ({exc})"
                ) from exc


class _Deadline(Exception):
    """One request ran past its total deadline (retried like a timeout)."""


def _no_constant(name: str):
    """JSON has no NaN or Infinity; a server that sends them is not Kolada."""
    raise ValueError(f"{name} är inget JSON-tal")


class _Expected:
    """What one request asked for: rows for other KPIs or years are a wrong answer."""

    def __init__(self, kpis: list[str], years: list[int]):
        self.kpis = {k.upper() for k in kpis}
        self.years = set(years)

    def __call__(self, rows: list[dict], url: str) -> None:
        wrong_kpi = sorted({r["kpi"] for r in rows if r["kpi"].upper() not in self.kpis})
        if wrong_kpi:
            raise KoladaBadResponseError(
                f"Kolada svarade med nyckeltal som inte efterfrågades ({', '.join(wrong_kpi[:5])}; "
                f"frågan gällde {', '.join(sorted(self.kpis))}) för {url}. Svaret används inte."
            )
        if self.years:
            wrong_year = sorted({r["year"] for r in rows if r["year"] not in self.years})
            if wrong_year:
                raise KoladaBadResponseError(
                    f"Kolada svarade med år som inte efterfrågades ({', '.join(map(str, wrong_year[:5]))}) "
                    f"för {url}. Svaret används inte."
                )
