"""Stand-ins for ScreamRouter's pydantic v2 models, for PyYAML only (pydantic is not needed).

PyYAML dumps a pydantic v2 model through __reduce_ex__(2), which gives its __getstate__(): a mapping of
__dict__ (every field), __pydantic_extra__, __pydantic_fields_set__ and __pydantic_private__. These classes
produce the same state under the same module and class names, so yaml.dump writes the same tags and mappings
ScreamRouter writes, and yaml.unsafe_load builds them back (through __setstate__) without ScreamRouter.

Field defaults follow screamrouter/screamrouter_types/configuration.py (see docs/screamrouter.md for the commit).
"""
import ipaddress
import sys
import types

MODULE = "screamrouter.screamrouter_types.configuration"


class _Model:
    FIELDS = ()  # (name, default factory) in declaration order

    def __init__(self, **given):
        self.__dict__.update({name: make() for name, make in self.FIELDS})
        for key, value in given.items():
            if key not in self.__dict__:
                raise TypeError(f"{type(self).__name__} has no field {key}")
            self.__dict__[key] = value
        self.__pydantic_fields_set__ = set(given)

    def __getstate__(self):
        fields = {k: v for k, v in self.__dict__.items() if not k.startswith("__pydantic")}
        return {
            "__dict__": fields,
            "__pydantic_extra__": None,
            "__pydantic_fields_set__": self.__pydantic_fields_set__,
            "__pydantic_private__": None,
        }

    def __setstate__(self, state):
        self.__dict__.update(state["__dict__"])
        self.__pydantic_fields_set__ = state["__pydantic_fields_set__"]
        self.state = state


def _const(value):
    return lambda: value


class Equalizer(_Model):
    FIELDS = (("name", _const(None)),) + tuple((f"b{i}", _const(1.0)) for i in range(1, 19)) + (
        ("normalization_enabled", _const(False)),)


class SpeakerLayout(_Model):
    FIELDS = (("auto_mode", _const(True)),
              ("matrix", lambda: [[(1.0 if i == j else 0.0) for j in range(8)] for i in range(8)]))


class SinkDescription(_Model):
    FIELDS = (("name", _const("")), ("ip", _const(None)), ("port", _const(4010)), ("is_group", _const(False)),
              ("enabled", _const(True)), ("group_members", list), ("volume", _const(1)), ("bit_depth", _const(32)),
              ("sample_rate", _const(48000)), ("channels", _const(2)), ("channel_layout", _const("stereo")),
              ("delay", _const(0)), ("equalizer", Equalizer), ("timeshift", _const(0)), ("speaker_layouts", dict),
              ("volume_normalization", _const(False)), ("time_sync", _const(False)), ("time_sync_delay", _const(0)),
              ("config_id", _const(None)), ("use_tcp", _const(False)), ("enable_mp3", _const(True)),
              ("protocol", _const("scream")), ("sap_target_sink", _const(None)), ("sap_target_host", _const(None)),
              ("multi_device_mode", _const(False)), ("rtp_receiver_mappings", list), ("is_temporary", _const(False)))


class SourceDescription(_Model):
    FIELDS = (("name", _const("")), ("ip", _const(None)), ("tag", _const(None)), ("channels", _const(None)),
              ("sample_rate", _const(None)), ("bit_depth", _const(None)), ("is_group", _const(False)),
              ("enabled", _const(True)), ("group_members", list), ("volume", _const(1)), ("delay", _const(0)),
              ("equalizer", Equalizer), ("timeshift", _const(0)), ("speaker_layouts", dict), ("vnc_ip", _const("")),
              ("vnc_port", _const("")), ("is_process", _const(False)), ("config_id", _const(None)),
              ("is_temporary", _const(False)))


class RouteDescription(_Model):
    FIELDS = (("name", _const("")), ("sink", _const("")), ("source", _const("")), ("enabled", _const(True)),
              ("volume", _const(1)), ("delay", _const(0)), ("equalizer", Equalizer), ("timeshift", _const(0)),
              ("speaker_layouts", dict), ("config_id", _const(None)), ("is_temporary", _const(False)),
              ("remote_target", _const(None)))


class SystemAudioDeviceInfo(_Model):
    FIELDS = (("tag", _const("")), ("direction", _const("playback")), ("friendly_name", _const("")),
              ("hw_id", _const(None)), ("endpoint_id", _const(None)), ("card_index", _const(0)),
              ("device_index", _const(0)), ("channels_supported", list), ("sample_rates", list),
              ("bit_depth", _const(None)), ("bit_depths", list), ("present", _const(True)))


def install():
    """Makes the classes importable under ScreamRouter's module name (yaml.dump names them, unsafe_load finds them)."""
    root = sys.modules.setdefault("screamrouter", types.ModuleType("screamrouter"))
    types_pkg = sys.modules.setdefault("screamrouter.screamrouter_types", types.ModuleType("screamrouter.screamrouter_types"))
    module = types.ModuleType(MODULE)
    root.screamrouter_types = types_pkg
    types_pkg.configuration = module
    sys.modules[MODULE] = module
    for cls in (Equalizer, SpeakerLayout, SinkDescription, SourceDescription, RouteDescription, SystemAudioDeviceInfo):
        cls.__module__ = MODULE
        setattr(module, cls.__name__, cls)
    return module


IP = ipaddress.ip_address
