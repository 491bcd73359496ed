"""A minimal Streamlit client over the app's own websocket (`/_stcore/stream`), for load tests.

It speaks the protocol the browser speaks — BackMsg `rerun_script` with the query string and
the widget states, ForwardMsg deltas back until `script_finished` — without drawing anything,
so that one process can hold a hundred sessions on the same 2 cores as the server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_EARLY_FOR_RERUN = 2  # ScriptFinishedStatus: st.rerun() — another run follows


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str]


@dataclass
class StreamlitSession:
    """One browser tab's worth of protocol: open, rerun with widget values, read the page."""

    port: int
    query_string: str
    # Through a reverse proxy (bench/proxy_load.py): the proxy's address ("wss://host:port"),
    # its TLS context, and the headers a browser sends (Cookie of the sticky route, Origin).
    base_url: str = ""
    ssl: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    _ws: Any = None
    _values: dict[str, WidgetState] = field(default_factory=dict)
    _cache: dict[str, ForwardMsg] = field(default_factory=dict)

    async def open(self) -> float:
        base = self.base_url or f"ws://127.0.0.1:{self.port}"
        self._ws = await websockets.connect(
            f"{base}/_stcore/stream",
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            open_timeout=120,
            ssl=self.ssl,
            additional_headers=self.headers or None,
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def widget(self, key: str) -> Widget:
        """The widget drawn with this user key (Streamlit ends widget ids with "-<key>")."""
        for w in self.widgets.values():
            if w.id.endswith(f"-{key}"):
                return w
        raise KeyError(key)

    async def click(self, key: str) -> float:
        w = self.widget(key)
        return await self.rerun(WidgetState(id=w.id, trigger_value=True))

    async def choose(self, key: str, label: str) -> float:
        """Select a radio option by its label, as a click would; seconds to the rerun's end."""
        w = self.widget(key)
        if label not in w.options:
            raise ValueError(f"{label!r} n'est pas une option de {key}")
        self._values[w.id] = WidgetState(id=w.id, string_value=label)
        return await self.rerun()

    async def rerun(self, trigger: WidgetState | None = None) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        states = list(self._values.values()) + ([trigger] if trigger else [])
        msg.rerun_script.widget_states.widgets.extend(states)
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        await self._read_until_finished()
        return time.perf_counter() - t0

    async def _read_until_finished(self) -> None:
        self.widgets.clear()
        self.texts.clear()
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self._ws.recv())
            if fwd.WhichOneof("type") == "ref_hash":  # a large message this session had before
                cached = self._cache.get(fwd.ref_hash)
                if cached is None:
                    continue
                fwd = cached
            elif fwd.hash and fwd.metadata.cacheable:
                self._cache[fwd.hash] = fwd
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element)
            elif kind == "script_finished" and fwd.script_finished != FINISHED_EARLY_FOR_RERUN:
                return

    def _element(self, element: Any) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        widget_id = getattr(proto, "id", "")
        if widget_id:
            options = list(proto.options) if hasattr(proto, "options") else []
            self.widgets[widget_id] = Widget(widget_id, kind, getattr(proto, "label", ""), options)
        elif kind == "progress":
            self.texts.append(proto.text)
        elif kind == "markdown":
            self.texts.append(proto.body)
