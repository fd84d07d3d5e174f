"""Loads a config.yaml the way ScreamRouter does (yaml.unsafe_load, with the stand-in classes of
pydantic_stand_in.py in place of its pydantic models), checks every sink and source against the fields and
validators of SinkDescription / SourceDescription (docs/screamrouter.md), and optionally saves it again the way
ScreamRouter saves (yaml.dump of the models; plain entries become models, unknown keys are dropped, a missing
config_id is generated), with the sinks in reverse order and one entry renamed, as a user in its UI might.

    python3 screamrouter_roundtrip.py CONFIG [--rewrite OUT --rename CONFIG_ID NEW_NAME]

Prints "ok" and exits 0, or prints the problems and exits 1. Used by ScreamRouterRoundTripTest.
"""
import argparse
import ipaddress
import sys
import uuid

import yaml

from pydantic_stand_in import Equalizer, SinkDescription, SourceDescription, install

install()

RATES = {44100, 48000, 88200, 96000, 192000}
DEPTHS = {16, 24, 32}
LAYOUTS = {"mono", "stereo", "quad", "surround", "3.1", "4.0", "5.1", "5.1(side)", "7.1"}


def fields_of(entry, cls, where, problems):
    """The fields of an entry, plain (as ScreamRouter's loader passes a dict to the model) or pickled."""
    if isinstance(entry, dict):
        unknown = set(entry) - {name for name, _ in cls.FIELDS}
        if unknown:
            problems.append(f"{where}: keys pydantic would drop: {sorted(unknown)}")
        return {**{name: make() for name, make in cls.FIELDS}, **entry, "__plain__": True}
    if not isinstance(entry, cls):
        problems.append(f"{where}: a {type(entry).__name__}, not a {cls.__name__}")
        return None
    state = entry.state
    if set(state) != {"__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__"}:
        problems.append(f"{where}: state keys {sorted(state)}")
    missing = {name for name, _ in cls.FIELDS} - set(state["__dict__"])
    extra = set(state["__dict__"]) - {name for name, _ in cls.FIELDS}
    if missing or extra:
        problems.append(f"{where}: __dict__ misses {sorted(missing)}, has unknown {sorted(extra)}")
    if not isinstance(state["__pydantic_fields_set__"], set) or not state["__pydantic_fields_set__"] <= set(state["__dict__"]):
        problems.append(f"{where}: __pydantic_fields_set__ {state['__pydantic_fields_set__']!r}")
    if state["__pydantic_extra__"] is not None or state["__pydantic_private__"] is not None:
        problems.append(f"{where}: extra/private not null")
    eq = state["__dict__"].get("equalizer")
    if type(eq).__name__ != "Equalizer":
        problems.append(f"{where}: equalizer is a {type(eq).__name__}")
    return dict(state["__dict__"])


def address(value):
    if value is None or isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    return ipaddress.ip_address(value)  # raises for a name, as IPvAnyAddress does


def check_common(f, where, problems, optional_format):
    def bad(msg):
        problems.append(f"{where}: {msg}")
    if not isinstance(f["name"], str):
        bad(f"name {f['name']!r}")
    if not isinstance(f["enabled"], bool):
        bad(f"enabled {f['enabled']!r}")
    # ScreamRouter's loader generates a missing config_id for a plain entry (and saves); a pickled one must have it
    if not (f.get("__plain__") and f["config_id"] is None) and (not isinstance(f["config_id"], str) or not f["config_id"]):
        bad(f"config_id {f['config_id']!r}")
    for key, allowed in (("sample_rate", RATES), ("bit_depth", DEPTHS)):
        if not (optional_format and f[key] is None) and f[key] not in allowed:
            bad(f"{key} {f[key]!r}")
    ch = f["channels"]
    if not (optional_format and ch is None) and not (isinstance(ch, int) and 1 <= ch <= 8):
        bad(f"channels {ch!r}")
    if not 0 <= f["volume"] <= 1 or not 0 <= f["delay"] <= 5000:
        bad("volume or delay out of range")
    try:
        a = address(f["ip"])
        if a is not None and (a.is_multicast or a == ipaddress.ip_address("255.255.255.255") or a.is_unspecified):
            bad(f"ip {a} is not a unicast address")
    except ValueError as e:
        bad(f"ip {f['ip']!r}: {e}")


def check(data):
    problems = []
    if not isinstance(data, dict):
        return ["the top level is not a dict"], [], []
    sinks, sources = [], []
    for i, entry in enumerate(data.get("sinks") or []):
        f = fields_of(entry, SinkDescription, f"sinks[{i}]", problems)
        if f is None:
            continue
        check_common(f, f"sinks[{i}] {f['name']}", problems, False)
        if f["channel_layout"] not in LAYOUTS:
            problems.append(f"sinks[{i}]: channel_layout {f['channel_layout']!r}")
        port = f["port"]
        if not f["is_group"] and f["protocol"] != "system_audio" and not (isinstance(port, int) and 1 <= port <= 65535):
            problems.append(f"sinks[{i}]: port {port!r} (must be >= 1 for a network sink)")
        if not isinstance(f["protocol"], str):
            problems.append(f"sinks[{i}]: protocol {f['protocol']!r}")
        sinks.append(f)
    for i, entry in enumerate(data.get("sources") or []):
        f = fields_of(entry, SourceDescription, f"sources[{i}]", problems)
        if f is None:
            continue
        check_common(f, f"sources[{i}] {f['name']}", problems, True)
        sources.append(f)
    return problems, sinks, sources


def as_model(cls, f):
    """What ScreamRouter keeps of an entry: the model's fields (unknown keys dropped), a config_id always."""
    known = {name for name, _ in cls.FIELDS}
    f = {k: v for k, v in f.items() if k != "__plain__"}
    if isinstance(f.get("equalizer"), dict):  # pydantic validates a plain mapping into the model
        f["equalizer"] = Equalizer(**f["equalizer"])
    model = cls(**{k: v for k, v in f.items() if k in known})
    if not model.config_id:
        model.config_id = str(uuid.uuid4())
    model.__pydantic_fields_set__ = set(f) & known
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--rewrite")
    parser.add_argument("--rename", nargs=2, metavar=("CONFIG_ID", "NAME"))
    args = parser.parse_args()
    with open(args.config, encoding="UTF-8") as f:
        data = yaml.unsafe_load(f)
    problems, sinks, sources = check(data)
    if problems:
        print("\n".join(problems))
        return 1
    if args.rewrite:
        models = {"sinks": [as_model(SinkDescription, f) for f in sinks][::-1],
                  "sources": [as_model(SourceDescription, f) for f in sources]}
        if args.rename:
            for model in models["sinks"] + models["sources"]:
                if model.config_id == args.rename[0]:
                    model.name = args.rename[1]
        save_data = {
            "sinks": models["sinks"],
            "sources": models["sources"],
            "routes": data.get("routes") or [],
            "system_capture_devices": data.get("system_capture_devices") or [],
            "system_playback_devices": data.get("system_playback_devices") or [],
        }
        with open(args.rewrite, "w", encoding="UTF-8") as out:
            yaml.dump(save_data, out)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
