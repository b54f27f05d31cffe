"""A visitor without a browser: the client side of Streamlit's websocket protocol.

The load test uses it so that twenty simulated students cost the machine what twenty
websocket connections cost, not what twenty software-rendered Chromium tabs cost: in
class every student renders on a computer of their own, so what the server must answer
is the protocol traffic this client produces. It does what the Streamlit frontend does on
the wire and nothing else:

- a new visitor downloads the page's HTML and the scripts and styles it names, then opens
  ``/_stcore/stream`` (subprotocol ``streamlit``) and asks for a run of the page in the
  address bar (``rerun_script`` with the URL's path and query string);
- a widget change sends ``rerun_script`` with the changed widget's new state, plus the
  states this visitor changed earlier on the same page (the frontend keeps them);
- a click in the sidebar sends ``rerun_script`` with the target page's script hash;
- a run is over when the server sends ``script_finished`` with a final status (a run the
  app restarts itself, such as the first deep link of a fresh server, ends with
  ``FINISHED_EARLY_FOR_RERUN`` and is followed by the real one).

Every element of the finished run is kept (kind, protobuf, sidebar or not), so a caller
can check what a student would see: the page title, a chart, error alerts, exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

__all__ = ["Element", "ProtocolError", "Run", "StreamlitVisitor"]

_FINAL = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
}
_ERROR_ALERT = 1  # streamlit.proto.Alert_pb2.Alert.Format.ERROR


class ProtocolError(Exception):
    """The page did not answer as a browser would need it to (closed, no such widget...)."""


@dataclass(frozen=True)
class Element:
    """One element of a finished run: its kind (``slider``, ``plotly_chart``...) and proto."""

    kind: str
    proto: object
    in_sidebar: bool

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "") or getattr(self.proto, "body", "")


@dataclass
class Run:
    """What one request produced, as the page would receive it.

    ``seconds`` runs from the request leaving this client until the final
    ``script_finished`` arrived (downloads of a new visitor's page included).
    """

    seconds: float
    status: int | None
    elements: list[Element]
    page_not_found: bool = False
    bytes_received: int = 0
    messages: int = 0

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def title(self) -> str | None:
        headings = [e.proto.body for e in self.of_kind("heading") if not e.in_sidebar]
        return headings[0] if headings else None

    @property
    def problems(self) -> list[str]:
        """Exceptions, error alerts and "page not found", as a student would read them."""
        found = [f"exception: {e.proto.message[:300]}" for e in self.of_kind("exception")]
        found += [
            f"error alert: {e.proto.body[:300]}"
            for e in self.of_kind("alert")
            if e.proto.format == _ERROR_ALERT
        ]
        if self.page_not_found:
            found.append("the server answered 'page not found'")
        if self.status == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
            found.append("the page's script did not compile")
        return found


class _AssetLinks(HTMLParser):
    """The scripts and stylesheets an HTML page names (what a browser fetches first)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.links.append(attrs["src"])
        elif tag == "link" and attrs.get("rel") in ("stylesheet", "modulepreload"):
            self.links.append(attrs.get("href") or "")


def _get(url: str) -> int:
    """GET with gzip accepted, as a browser asks; returns the bytes received."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return len(reply.read())


def _download_page(base: str, path: str) -> int:
    """A new visitor's first load: the HTML, then every script and stylesheet it names."""
    request = urllib.request.Request(f"{base}/{path}", headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        html = reply.read()
    parser = _AssetLinks()
    parser.feed(html.decode("utf-8", "replace"))
    received = len(html)
    for link in filter(None, parser.links):
        absolute = link if re.match(r"https?://", link) else f"{base}/{link.lstrip('./')}"
        if absolute.startswith(base):  # never leave the server under test
            received += _get(absolute)
    return received


@dataclass
class StreamlitVisitor:
    """One visitor's tab: a websocket to the server and what its page currently shows.

    Use ``await visitor.open(path, query)`` first; then ``slider``, ``select``,
    ``toggle`` and ``navigate`` each send one request and return its :class:`Run`.
    """

    base: str
    timeout: float = 60.0
    download_assets: bool = True
    last: Run | None = None
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    _ws: object = None
    _page_hash: str = ""
    _query: str = ""
    _changed: dict[str, WidgetState] = field(default_factory=dict)
    _downloaded: bool = False

    # -- the connection

    async def open(self, path: str, query: str = "") -> Run:
        """Open ``/path?query`` as a new tab would (a fresh session on the server)."""
        await self.close()
        started = time.perf_counter()
        received = 0
        if self.download_assets and not self._downloaded:  # a browser caches the rest
            received = await asyncio.to_thread(_download_page, self.base, path)
            self._downloaded = True
        self._ws = await websockets.connect(
            self.base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.base,
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
        )
        self._page_hash, self._query, self._changed = "", query, {}
        run = await self._request(page_name=path, started=started)
        run.bytes_received += received
        return run

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
            self._ws = None

    # -- what a student does

    async def slider(self, label: str, steps: int, *, handle: int = 0) -> Run:
        """Move a slider's ``handle`` (1: a range's upper end) by ``steps`` of its step
        size, up or down, bounded like the UI."""
        proto = self.widget("slider", label)
        values = list(self._value_of(proto))
        values[handle] = min(max(values[handle] + steps * proto.step, proto.min), proto.max)
        state = WidgetState(id=proto.id)
        state.double_array_value.data[:] = values
        return await self._change(state)

    async def select(self, label: str, option: str) -> Run:
        proto = self.widget("selectbox", label)
        if option not in proto.options:
            raise ProtocolError(f"{label!r} has no option {option!r}: {list(proto.options)}")
        return await self._change(WidgetState(id=proto.id, string_value=option))

    async def toggle(self, label: str) -> Run:
        proto = self.widget("checkbox", label)
        return await self._change(WidgetState(id=proto.id, bool_value=not self._value_of(proto)))

    async def navigate(self, path: str) -> Run:
        """Click the sidebar link to ``/path``: a new page, its own URL without a query."""
        if path not in self.pages:
            raise ProtocolError(f"no page /{path} in the navigation: {sorted(self.pages)}")
        self._page_hash, self._query, self._changed = self.pages[path], "", {}
        return await self._request(page_name=path, started=time.perf_counter())

    # -- the page as it stands

    @property
    def path(self) -> str:
        """The URL path of the page that ran last ("" before the first run)."""
        return next((p for p, h in self.pages.items() if h == self._page_hash), "")

    def widget(self, kind: str, label: str):
        """The proto of the widget of this kind and label on the current page."""
        for element in self.last.elements if self.last else ():
            if element.kind == kind and element.proto.label == label:
                return element.proto
        raise ProtocolError(f"no {kind} labelled {label!r} on the page")

    def _value_of(self, proto):
        """The widget's current value: what this visitor set, else what the server sent."""
        state = self._changed.get(proto.id)
        kind = type(proto).__name__.lower()
        if state is not None:
            field_name = state.WhichOneof("value")
            value = getattr(state, field_name)
            return value.data if field_name.endswith("array_value") else value
        if kind in ("slider", "checkbox"):  # both say whether the server set a value
            return proto.value if proto.set_value else proto.default
        raise ProtocolError(f"reading a {kind}'s value is not implemented")

    async def _change(self, state: WidgetState) -> Run:
        self._changed[state.id] = state
        return await self._request(page_name="", started=time.perf_counter())

    async def _request(self, *, page_name: str, started: float) -> Run:
        if self._ws is None:
            raise ProtocolError("not connected: open a page first")
        message = BackMsg()
        client_state = message.rerun_script
        client_state.query_string = self._query
        client_state.page_script_hash = self._page_hash
        client_state.page_name = page_name
        client_state.widget_states.widgets.extend(self._changed.values())
        await self._ws.send(message.SerializeToString())
        run = await asyncio.wait_for(self._receive_run(started), self.timeout)
        self.last = run
        return run

    async def _receive_run(self, started: float) -> Run:
        elements: dict[tuple[int, ...], Element] = {}
        not_found, size, count = False, 0, 0
        while True:
            try:
                data = await self._ws.recv()
            except websockets.ConnectionClosed as closed:
                raise ProtocolError(f"the server closed the connection ({closed})") from None
            message = ForwardMsg()
            message.ParseFromString(data)
            size, count = size + len(data), count + 1
            kind = message.WhichOneof("type")
            if kind == "new_session":
                elements.clear()  # a (re)started run replaces the page
            elif kind == "navigation":  # st.navigation names the page that ran, and the others
                navigation = message.navigation
                self._page_hash = navigation.page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in navigation.app_pages}
            elif kind == "page_info_changed":
                self._query = message.page_info_changed.query_string
            elif kind == "page_not_found":
                not_found = True
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                element_kind = element.WhichOneof("type")
                path = tuple(message.metadata.delta_path)
                elements[path] = Element(
                    element_kind, getattr(element, element_kind), bool(path and path[0] == 1)
                )
            elif kind == "script_finished" and message.script_finished in _FINAL:
                ordered = [elements[k] for k in sorted(elements)]
                return Run(
                    seconds=time.perf_counter() - started,
                    status=message.script_finished,
                    elements=ordered,
                    page_not_found=not_found,
                    bytes_received=size,
                    messages=count,
                )
