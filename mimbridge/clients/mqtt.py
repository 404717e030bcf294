"""SensorThings MQTT: subscribe to STA topics as a streaming source, publish Observations as a sink.

Endpoints are ``mqtt://host:port/<topic>``; the topic follows the SensorThings
MQTT conventions (``v1.1/Datastreams(1)/Observations``,
``v1.1/Things(1)/Datastreams``, ``v1.1/Observations``; MQTT wildcards ``+``
and ``#`` allowed, ``#`` written as is or as ``%23``).

:class:`MqttSource` yields every message as one :class:`~mimbridge.clients.base.Page`
in the ``sta`` format, ``url`` = the message topic. A message on a related
collection lacks the entity it belongs to (an Observation published on
``Datastreams(1)/Observations`` has no Datastream): it is added from the topic
(``"Datastream": {"@iot.id": 1}``), so the ``sta`` reader links them. A message
that is not JSON, or not an Observation on an Observations topic, becomes a
page whose payload is the :class:`~mimbridge.errors.ParseError`; the bridge
reports it with its topic and goes on.

QoS 1 is the default both ways; the source reconnects by itself (with
backoff) and subscribes again after every reconnect; the sink waits for the
broker's PUBACK of every message and reports the ones that did not come.

    >>> message_page("v1.1/Datastreams(1)/Observations", b'{"result": 21.5}').payload
    {'result': 21.5, 'Datastream': {'@iot.id': 1}}
    >>> str(message_page("v1.1/Datastreams(1)/Observations", b'not json').payload)
    'line 1 column 1: message is not JSON: Expecting value (expected a JSON SensorThings entity)'
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..adapters.sta.vocab import entity_set_key
from ..errors import CapabilityError, ConnectorError, ParseError
from ..options import check_options
from .base import Page, WriteResult

__all__ = ["MqttSink", "MqttSource", "message_page", "observation_topic", "open_sink", "open_source", "parse_url",
           "topic_link"]

#: (entity set in the topic, collection published under it) -> (member of the message that links back, to-many)
PARENT_LINKS: dict[tuple[str, str], tuple[str, bool]] = {
    ("Datastreams", "Observations"): ("Datastream", False),
    ("FeaturesOfInterest", "Observations"): ("FeatureOfInterest", False),
    ("HistoricalLocations", "Locations"): ("HistoricalLocations", True),
    ("Locations", "HistoricalLocations"): ("Locations", True),
    ("Locations", "Things"): ("Locations", True),
    ("MultiDatastreams", "Observations"): ("MultiDatastream", False),
    ("ObservedProperties", "Datastreams"): ("ObservedProperty", False),
    ("ObservedProperties", "MultiDatastreams"): ("ObservedProperties", True),
    ("Sensors", "Datastreams"): ("Sensor", False),
    ("Sensors", "MultiDatastreams"): ("Sensor", False),
    ("Things", "Datastreams"): ("Thing", False),
    ("Things", "HistoricalLocations"): ("Thing", False),
    ("Things", "Locations"): ("Things", True),
    ("Things", "MultiDatastreams"): ("Thing", False),
}
DEFAULT_PORT = 1883
DEFAULT_VERSION = "v1.1"


def _paho() -> Any:
    try:
        import paho.mqtt.client as mqtt
    except ImportError as exc:  # pragma: no cover - depends on the installation
        from ..extras import install_hint

        raise CapabilityError(f"MQTT endpoints need paho-mqtt 2.x, which is not installed: "
                              f"{install_hint('paho', prefer=['connectors'])}") from exc
    return mqtt


def parse_url(url: str) -> tuple[str, int, str]:
    """``(host, port, topic)`` of ``mqtt://host:port/topic`` (the topic is everything after the first ``/``).

    >>> parse_url("mqtt://127.0.0.1:1884/v1.1/Datastreams(1)/Observations")
    ('127.0.0.1', 1884, 'v1.1/Datastreams(1)/Observations')
    >>> parse_url("mqtt://broker/v1.1/#")
    ('broker', 1883, 'v1.1/#')
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("mqtt", "tcp"):
        raise ConnectorError("not an MQTT endpoint (expected mqtt://host:port/topic)", url=url)
    netloc, _, topic = rest.partition("/")
    host, colon, port = netloc.rpartition(":")
    if not colon or not port.isdigit():
        host, port = netloc, str(DEFAULT_PORT)
    if not host:
        raise ConnectorError("no broker host in the URL", url=url)
    return host.strip("[]"), int(port), unquote(topic)


def topic_link(topic: str) -> tuple[str, str | None, Any]:
    """``(collection, member, link)``: what a message on ``topic`` is, the member linking it to the topic's entity.

    >>> topic_link("v1.1/Datastreams(1)/Observations")
    ('Observations', 'Datastream', {'@iot.id': 1})
    >>> topic_link("v1.1/Things('a')/Locations")
    ('Locations', 'Things', [{'@iot.id': 'a'}])
    >>> topic_link("v1.1/Observations")
    ('Observations', None, None)
    """
    path = topic.partition("?")[0]
    parts = [p for p in path.split("/") if p]
    last = parts[-1] if parts else ""
    collection = last.partition("(")[0]
    if len(parts) >= 2 and "(" not in last:
        key = entity_set_key(parts[-2])
        if key is not None:
            link = PARENT_LINKS.get((key[0], last))
            if link is not None:
                ref = {"@iot.id": key[1]}
                return collection, link[0], [ref] if link[1] else ref
    return collection, None, None


def message_page(topic: str, payload: bytes) -> Page:
    """The page of one MQTT message: the entity with its link from the topic, or the ParseError."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        err = ParseError(f"message is not UTF-8: {exc.reason}", pointer=f"byte {exc.start}", expected="UTF-8 JSON")
        return Page(err, url=topic, count=1)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        err = ParseError(f"message is not JSON: {exc.msg}", pointer=f"line {exc.lineno} column {exc.colno}",
                         expected="a JSON SensorThings entity")
        return Page(err, url=topic, count=1)
    collection, member, link = topic_link(topic)
    items = doc if isinstance(doc, list) else [doc]
    out: list[Any] = []
    for i, item in enumerate(items):
        ptr = f"/{i}" if isinstance(doc, list) else ""
        if not isinstance(item, dict):
            return Page(ParseError(f"message holds a {type(item).__name__}, not an entity", pointer=ptr,
                                   expected="a JSON object"), url=topic, count=1)
        if collection == "Observations" and "result" not in item:
            return Page(ParseError("not an Observation: it has no 'result'", pointer=ptr or "/",
                                   expected="a SensorThings Observation"), url=topic, count=1)
        if member is not None and member not in item and f"{member}@iot.navigationLink" not in item:
            item = {**item, member: link}
        out.append(item)
    return Page(out if isinstance(doc, list) else out[0], url=topic, count=len(out))


def _client(mqtt: Any, *, client_id: str, clean_start: bool, protocol: int, manual_ack: bool = False) -> Any:
    version = mqtt.MQTTv5 if protocol == 5 else mqtt.MQTTv311
    kw: dict[str, Any] = {"client_id": client_id, "protocol": version, "manual_ack": manual_ack}
    if version != mqtt.MQTTv5:
        kw["clean_session"] = clean_start
    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kw)


def _connect(client: Any, mqtt: Any, *, host: str, port: int, keepalive: int, clean_start: bool, protocol: int,
             url: str) -> None:
    kw: dict[str, Any] = {}
    if protocol == 5:
        kw["clean_start"] = clean_start
        if not clean_start:  # keep the session (and its QoS 1 queue) across disconnects
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 3600
            kw["properties"] = props
    try:
        client.connect(host, port, keepalive, **kw)
    except OSError as exc:
        raise ConnectorError(f"cannot connect to the MQTT broker: {exc}", url=url) from exc


def _disconnect(client: Any, *, connected: bool, done: threading.Event, timeout: float = 5.0,
                barrier: str | None = None) -> None:
    """Disconnect after the packets already queued (acknowledgements) are sent, then stop the network thread.

    ``barrier``: a topic to publish an empty QoS 1 message to first; its PUBACK
    means the broker has handled every packet sent before it (mosquitto may
    otherwise discard the acknowledgements a closing connection sent last).
    """
    if barrier is not None and connected:
        info = client.publish(barrier, b"", qos=1)
        with contextlib.suppress(RuntimeError, ValueError):
            info.wait_for_publish(timeout)
    done.clear()
    client.disconnect()
    if connected:
        done.wait(timeout)  # the DISCONNECT goes out after the queued PUBACKs
    client.loop_stop()


@dataclass
class MqttStats:
    """Counters of a source: messages received, duplicates dropped, connections, subscriptions and refusals."""

    received: int = 0
    duplicates: int = 0
    connects: int = 0
    disconnects: int = 0
    subscriptions: int = 0
    refused: list[str] = field(default_factory=list)


class MqttSource:
    """Subscribes to SensorThings topics and yields each message as a page (``format = "sta"``).

    ``topics`` (default: the URL's topic) are subscribed with ``qos`` after
    every (re)connect. ``client_id`` with ``clean_start=False`` (the default
    when a client id is given) keeps the broker session, so QoS 1 messages
    sent while the bridge is down are delivered when it comes back. A message
    is acknowledged once the consumer is done with it: when it asks for the
    next page, or, after :meth:`hold_acks`, when it calls :meth:`ack`; what was
    never acknowledged is delivered again to a kept session. Messages the
    broker sends again (duplicate flag, same content) are dropped and counted.
    ``pages()`` runs until ``max_messages`` messages, ``idle_timeout``
    seconds without a message, or :meth:`stop`.
    """

    format = "sta"

    def __init__(
        self,
        url: str,
        *,
        topics: Sequence[str] | None = None,
        qos: int = 1,
        client_id: str | None = None,
        clean_start: bool | None = None,
        keepalive: int = 30,
        max_messages: int | None = None,
        idle_timeout: float | None = None,
        connect_timeout: float = 10.0,
        reconnect_delay: tuple[int, int] = (1, 30),
        username: str | None = None,
        password: str | None = None,
        protocol: int = 4,
    ) -> None:
        self.url = url
        self.host, self.port, topic = parse_url(url)
        self.topics = list(topics) if topics else ([topic] if topic else [])
        if not self.topics:
            raise ConnectorError("no topic to subscribe to (give it in the URL path or as topics=)", url=url)
        self.qos = qos
        self.client_id = client_id or f"mimbridge-{uuid.uuid4().hex[:12]}"
        self.clean_start = (client_id is None) if clean_start is None else clean_start
        self.keepalive = keepalive
        self.max_messages = max_messages
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout
        self.reconnect_delay = reconnect_delay
        self.auth = (username, password) if username is not None else None
        self.protocol = protocol
        self.stats = MqttStats()
        self._stop = threading.Event()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._connected = threading.Event()
        self._gone = threading.Event()
        #: set when the broker has granted every subscription (cleared on disconnect)
        self.subscribed = threading.Event()
        #: why the broker refused the last connection (its CONNACK reason), or None
        self.refused_connection: str | None = None
        self._generation = 0
        self._pending: collections.deque[tuple[Page, int, int, int]] = collections.deque()
        self._held = False
        self._acked = False
        self._recent: collections.OrderedDict[bytes, None] = collections.OrderedDict()
        self._client: Any = None
        self._lock = threading.Lock()

    # -- callbacks (paho's network thread) ------------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            self.refused_connection = str(reason_code)  # e.g. "Not authorized", "Bad user name or password"
            if not self.stats.connects:
                self._connected.set()  # wakes pages(), which reports it
            return
        self.refused_connection = None
        with self._lock:
            self._generation += 1
        self.stats.connects += 1
        client.subscribe([(t, self.qos) for t in self.topics])  # one SUBACK for all
        self._connected.set()

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reason_codes: Any, properties: Any) -> None:
        refused = [str(rc) for rc in reason_codes if rc.is_failure]
        self.stats.refused.extend(refused)
        self.stats.subscriptions += 1
        if not refused:
            self.subscribed.set()

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self.stats.disconnects += 1
        self._gone.set()
        self._connected.clear()
        self.subscribed.clear()

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        with self._lock:
            gen = self._generation
        self._queue.put((msg.topic, msg.payload, msg.mid, msg.qos, bool(msg.dup), gen))

    # -- public ---------------------------------------------------------------------
    def stop(self) -> None:
        """Make ``pages()`` return (from any thread) within a fraction of a second."""
        self._stop.set()

    def hold_acks(self) -> None:
        """Acknowledge messages only through :meth:`ack` (the bridge does, after writing)."""
        self._held = True

    def ack(self, page: Page) -> None:
        """Acknowledge ``page`` and every page delivered before it."""
        while self._pending:
            p, mid, qos, gen = self._pending.popleft()
            with self._lock:
                current = gen == self._generation
            if current and self._client is not None and qos > 0:
                self._acked = True
                self._client.ack(mid, qos)  # a message of an older connection is sent again by the broker
            if p is page:
                return

    def _duplicate(self, payload: bytes, dup: bool) -> bool:
        digest = hashlib.blake2b(payload, digest_size=16).digest()
        seen = digest in self._recent
        self._recent[digest] = None
        if len(self._recent) > 10_000:
            self._recent.popitem(last=False)
        return dup and seen

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Connect, subscribe and yield one page per message (``start`` is ignored: a stream has no position)."""
        mqtt = _paho()
        self._stop.clear()
        client = _client(mqtt, client_id=self.client_id, clean_start=self.clean_start, protocol=self.protocol,
                         manual_ack=True)
        if self.auth is not None:
            client.username_pw_set(*self.auth)
        client.reconnect_delay_set(*self.reconnect_delay)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._client = client
        _connect(client, mqtt, host=self.host, port=self.port, keepalive=self.keepalive,
                 clean_start=self.clean_start, protocol=self.protocol, url=self.url)
        client.loop_start()
        delivered = 0
        try:
            if not self._connected.wait(self.connect_timeout):
                raise ConnectorError(f"the MQTT broker did not accept the connection in {self.connect_timeout} s",
                                     url=self.url)
            if self.refused_connection is not None:
                self._connected.clear()
                raise ConnectorError(f"the MQTT broker refused the connection: {self.refused_connection}",
                                     url=self.url)
            last = time.monotonic()
            while not self._stop.is_set():
                if self.max_messages is not None and delivered >= self.max_messages:
                    break
                try:
                    topic, payload, mid, qos, dup, gen = self._queue.get(timeout=0.1)
                except queue.Empty:
                    if self.idle_timeout is not None and time.monotonic() - last >= self.idle_timeout:
                        break
                    continue
                last = time.monotonic()
                self.stats.received += 1
                page = message_page(topic, payload)
                self._pending.append((page, mid, qos, gen))
                if self._duplicate(payload, dup):
                    self.stats.duplicates += 1
                    self.ack(page)
                    continue
                delivered += 1
                yield page
                if not self._held:
                    self.ack(page)
        finally:
            _disconnect(client, connected=self._connected.is_set(), done=self._gone,
                        barrier=f"mimbridge/flush/{self.client_id}" if self._acked else None)
            self._client = None
            self._connected.clear()
            self.subscribed.clear()


def observation_topic(obs: dict, *, version: str = DEFAULT_VERSION) -> str | None:
    """The STA topic an Observation is published on (by its Datastream or MultiDatastream), or None.

    >>> observation_topic({"result": 1, "Datastream": {"@iot.id": 7}})
    'v1.1/Datastreams(7)/Observations'
    >>> observation_topic({"result": 1, "Datastream@iot.navigationLink": "http://h/v1.1/Datastreams('x')"})
    "v1.1/Datastreams('x')/Observations"
    """
    for nav, entity_set in (("Datastream", "Datastreams"), ("MultiDatastream", "MultiDatastreams")):
        ref = obs.get(nav)
        sid: Any = None
        if isinstance(ref, dict) and "@iot.id" in ref:
            sid = ref["@iot.id"]
        else:
            link = obs.get(f"{nav}@iot.navigationLink") or (ref.get("@iot.selfLink") if isinstance(ref, dict) else None)
            key = entity_set_key(link) if isinstance(link, str) else None
            if key is not None:
                sid = key[1]
        if sid is not None:
            lit = f"'{sid.replace(chr(39), chr(39) * 2)}'" if isinstance(sid, str) else json.dumps(sid)
            return f"{version}/{entity_set}({lit})/Observations"
    return None


def _observations(payload: Any) -> Iterator[Any]:
    """The Observations of an ``sta`` payload: an entity, an array, a collection, Datastreams with Observations."""
    if isinstance(payload, dict) and isinstance(payload.get("value"), list):
        payload = payload["value"]
    for item in payload if isinstance(payload, list) else [payload]:
        if isinstance(item, dict) and "result" not in item and isinstance(item.get("Observations"), list):
            parent = {"Datastream": {"@iot.id": item["@iot.id"]}} if "@iot.id" in item else {}
            for obs in item["Observations"]:
                yield {**parent, **obs} if isinstance(obs, dict) else obs
        else:
            yield item


class MqttSink:
    """Publishes SensorThings Observations (``format = "sta"``) to their Datastream's topic with QoS 1.

    The topic is ``<version>/Datastreams(<id>)/Observations`` from each
    Observation's Datastream (the version is the URL's topic prefix, default
    ``v1.1``); a URL whose topic ends in ``/Observations`` is used for the
    Observations without a Datastream. The link member is left out of the
    message (the topic carries it). ``write`` waits up to ``timeout`` seconds
    for the PUBACKs; a message without one is a failure of the result.
    """

    format = "sta"

    def __init__(self, url: str, *, qos: int = 1, client_id: str | None = None, keepalive: int = 30,
                 timeout: float = 10.0, retain: bool = False, username: str | None = None,
                 password: str | None = None, protocol: int = 4) -> None:
        self.url = url
        self.host, self.port, topic = parse_url(url)
        self.fixed_topic = topic if topic.endswith("/Observations") and "+" not in topic and "#" not in topic else None
        first = topic.split("/", 1)[0]
        self.version = first if first.startswith("v") and first[1:2].isdigit() else DEFAULT_VERSION
        self.qos = qos
        self.client_id = client_id or f"mimbridge-pub-{uuid.uuid4().hex[:12]}"
        self.keepalive = keepalive
        self.timeout = timeout
        self.retain = retain
        self.auth = (username, password) if username is not None else None
        self.protocol = protocol
        self.published = 0
        self._seq = 0
        self._client: Any = None
        self._connected = threading.Event()
        self._gone = threading.Event()

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        mqtt = _paho()
        client = _client(mqtt, client_id=self.client_id, clean_start=True, protocol=self.protocol)
        if self.auth is not None:
            client.username_pw_set(*self.auth)
        client.reconnect_delay_set(1, 10)
        client.on_connect = lambda c, u, f, rc, p: None if rc.is_failure else self._connected.set()
        client.on_disconnect = lambda c, u, f, rc, p: (self._connected.clear(), self._gone.set())  # type: ignore[func-returns-value]
        _connect(client, mqtt, host=self.host, port=self.port, keepalive=self.keepalive, clean_start=True,
                 protocol=self.protocol, url=self.url)
        client.loop_start()
        if not self._connected.wait(self.timeout):
            client.loop_stop()
            raise ConnectorError(f"the MQTT broker did not accept the connection in {self.timeout} s", url=self.url)
        self._client = client
        return client

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Publish every Observation of ``payload``; ids written are ``@iot.id`` (or ``topic#n``)."""
        client = self._connect()
        result = WriteResult()
        sent: list[tuple[str, Any]] = []
        for n, obs in enumerate(_observations(payload)):
            if not isinstance(obs, dict) or "result" not in obs:
                result.failed.append((f"/{n}", "not a SensorThings Observation (no 'result')"))
                continue
            topic = observation_topic(obs, version=self.version) or self.fixed_topic
            if topic is None:
                result.failed.append((str(obs.get("@iot.id", f"/{n}")),
                                      "the Observation has no Datastream and the URL names no Observations topic"))
                continue
            self._seq += 1
            rid = str(obs["@iot.id"]) if "@iot.id" in obs else f"{topic}#{self._seq}"
            if rid in skip:
                continue
            body = {k: v for k, v in obs.items()
                    if k not in ("Datastream", "MultiDatastream") and not k.endswith("Datastream@iot.navigationLink")}
            info = client.publish(topic, json.dumps(body, ensure_ascii=False), qos=self.qos, retain=self.retain)
            sent.append((rid, info))
        deadline = time.monotonic() + self.timeout
        for rid, info in sent:
            try:
                info.wait_for_publish(max(deadline - time.monotonic(), 0.0))
            except (RuntimeError, ValueError) as exc:
                result.failed.append((rid, f"not published: {exc}"))
                continue
            if info.is_published():
                result.written.append(rid)
                self.published += 1
            else:
                result.failed.append((rid, f"no PUBACK from the broker within {self.timeout} s"))
        return result

    def close(self) -> None:
        """Disconnect."""
        if self._client is not None:
            _disconnect(self._client, connected=self._connected.is_set(), done=self._gone)
            self._client = None

    def __enter__(self) -> MqttSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(url: str, *, http: Any = None, kind: str = "mqtt", **options: Any) -> MqttSource:
    """An :class:`MqttSource` for ``mqtt://host:port/topic`` (``http`` is not used)."""
    return MqttSource(url, **check_options(MqttSource, options, where="mqtt source ", fixed=("url",)))


def open_sink(url: str, *, http: Any = None, kind: str = "mqtt", **options: Any) -> MqttSink:
    """An :class:`MqttSink` for ``mqtt://host:port[/v1.1]`` (``http`` is not used)."""
    return MqttSink(url, **check_options(MqttSink, options, where="mqtt target ", fixed=("url",)))
