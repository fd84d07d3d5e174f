"""Writes screamrouter-config.yaml exactly as ScreamRouter's ConfigurationManager saves it: yaml.dump of a plain
dict with the lists sinks, sources, routes, system_capture_devices and system_playback_devices of pydantic models
(here the stand-ins of pydantic_stand_in.py, which give PyYAML the same state).

    python3 make_fixture.py > screamrouter-config.yaml

Checked in with its output; the Java tests read the output, they do not run this script.
"""
import sys

import yaml

from pydantic_stand_in import (IP, Equalizer, RouteDescription, SinkDescription, SourceDescription, SpeakerLayout,
                               SystemAudioDeviceInfo, install)

install()

shared_eq = Equalizer(b1=1.2, b18=0.8)  # one object used by two routes: PyYAML writes an anchor and an alias

kitchen = SinkDescription(name="Kitchen", ip="192.168.1.20", port=4010, volume=0.65, protocol="scream",
                          config_id="0b6d2c1e-7e61-4c55-9d63-3f9e1c3b2a10",
                          equalizer=Equalizer(normalization_enabled=True),
                          speaker_layouts={2: SpeakerLayout(auto_mode=False)})
# older pydantic keeps the IPvAnyAddress member of the union: the address is an ipaddress object
patio = SinkDescription(name="Patio RTP", ip=IP("192.168.1.30"), port=40000, protocol="rtp", bit_depth=16,
                        config_id="6a0c3c55-0d1f-4d7b-9a3e-2f1e5d7c9b11")
group = SinkDescription(name="All Rooms", is_group=True, group_members=["Kitchen", "Patio RTP"],
                        config_id="9d7e5f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6")
desktop = SourceDescription(name="Desktop", ip=IP("192.168.1.10"), config_id="1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                            vnc_ip=IP("192.168.1.10"), vnc_port=5900)
routes = [
    RouteDescription(name="Desktop to Kitchen", sink="Kitchen", source="Desktop", volume=0.8, equalizer=shared_eq,
                     config_id="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"),
    RouteDescription(name="Desktop to All", sink="All Rooms", source="Desktop", enabled=False, delay=120,
                     equalizer=shared_eq, config_id="3b4c5d6e-7f8a-4b9c-8d1e-2f3a4b5c6d7e"),
]
capture = [SystemAudioDeviceInfo(tag="ac:0.0", direction="capture", friendly_name="Built-in Microphone (hw:0,0)",
                                 hw_id="hw:0,0", card_index=0, device_index=0, channels_supported=[1, 2],
                                 sample_rates=[44100, 48000], bit_depths=[16, 24], present=True)]
playback = [SystemAudioDeviceInfo(tag="ap:0.0", direction="playback", friendly_name="Built-in Audio Analog Stereo",
                                  hw_id="hw:0,0", card_index=0, device_index=0, channels_supported=[2],
                                  sample_rates=[48000], bit_depth=16, bit_depths=[16, 32], present=True)]

save_data = {
    "sinks": [kitchen, patio, group],
    "sources": [desktop],
    "routes": routes,
    "system_capture_devices": capture,
    "system_playback_devices": playback,
}
yaml.dump(save_data, sys.stdout)
