package org.screamrouter.sip.config.internal;

import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;

/**
 * New entries for a config.yaml ScreamRouter saved (pickled pydantic models): the state PyYAML writes for a
 * {@code SinkDescription} or {@code SourceDescription} built with the server's fields, every other field at its
 * pydantic default (docs/screamrouter.md lists them, with the ScreamRouter commit they were read from). ScreamRouter
 * restores such an object without validation and then re-validates it ({@code SinkDescription(**obj.model_dump())}),
 * so the state must hold every field, with values its validators accept.
 */
final class PydanticEntries {
    static final String MODULE = "screamrouter.screamrouter_types.configuration";

    private static final String EQUALIZER = """
            !!python/object:screamrouter.screamrouter_types.configuration.Equalizer
              __dict__:
                b1: 1.0
                b10: 1.0
                b11: 1.0
                b12: 1.0
                b13: 1.0
                b14: 1.0
                b15: 1.0
                b16: 1.0
                b17: 1.0
                b18: 1.0
                b2: 1.0
                b3: 1.0
                b4: 1.0
                b5: 1.0
                b6: 1.0
                b7: 1.0
                b8: 1.0
                b9: 1.0
                name: null
                normalization_enabled: false
              __pydantic_extra__: null
              __pydantic_fields_set__: !!set {}
              __pydantic_private__: null
            """;

    private static final String SINK = """
            !!python/object:screamrouter.screamrouter_types.configuration.SinkDescription
            __dict__:
              bit_depth: 32
              channel_layout: stereo
              channels: 2
              config_id: null
              delay: 0
              enable_mp3: true
              enabled: true
              equalizer: null
              group_members: []
              ip: null
              is_group: false
              is_temporary: false
              multi_device_mode: false
              name: ''
              port: 4010
              protocol: scream
              rtp_receiver_mappings: []
              sample_rate: 48000
              sap_target_host: null
              sap_target_sink: null
              speaker_layouts: {}
              time_sync: false
              time_sync_delay: 0
              timeshift: 0
              use_tcp: false
              volume: 1
              volume_normalization: false
            __pydantic_extra__: null
            __pydantic_fields_set__: !!set {}
            __pydantic_private__: null
            """;

    private static final String SOURCE = """
            !!python/object:screamrouter.screamrouter_types.configuration.SourceDescription
            __dict__:
              bit_depth: null
              channels: null
              config_id: null
              delay: 0
              enabled: true
              equalizer: null
              group_members: []
              ip: null
              is_group: false
              is_process: false
              is_temporary: false
              name: ''
              sample_rate: null
              speaker_layouts: {}
              tag: null
              timeshift: 0
              vnc_ip: ''
              vnc_port: ''
              volume: 1
            __pydantic_extra__: null
            __pydantic_fields_set__: !!set {}
            __pydantic_private__: null
            """;

    private PydanticEntries() {}

    /**
     * A pickled model for the section with the given fields set (and listed in its fields-set, as pydantic lists the
     * arguments a model was built with). An address is written as the pydantic field holds it: text for a sink (its
     * {@code ip} also accepts a string), a pickled {@code ipaddress} object for a source.
     */
    static EntryNode create(String section, Map<String, Object> fields) {
        MappingNode node = (MappingNode) parse(section.equals("sinks") ? SINK : SOURCE);
        EntryNode entry = EntryNode.of(node);
        entry.put("equalizer", parse(EQUALIZER));
        // the template's defaults are not "set": only what the server passes is
        ((MappingNode) YamlNodes.get(node, "__pydantic_fields_set__")).getValue().clear();
        fields.forEach((key, value) -> {
            if (key.equals("ip") && section.equals("sources") && value instanceof String s && IpAddresses.literal(s).isPresent()) {
                entry.put(key, EntryNode.pickledAddress(IpAddresses.literal(s).get()));
            } else {
                entry.put(key, YamlNodes.scalar(value));
            }
        });
        return entry;
    }

    private static org.yaml.snakeyaml.nodes.Node parse(String text) {
        try {
            return YamlNodes.compose(text);
        } catch (ConfigParseException e) {
            throw new IllegalStateException("built-in template", e);
        }
    }
}
