package org.screamrouter.sip.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * The one config.yaml name rule (issue 16 item 6): the config bundle, calls, the shell and the web console used four
 * copies of it, and the calls' copy lower-cased the UUID, so a sink named before its entry was written did not match.
 */
class DeviceNameTest {
    @Test
    void roleThenTheFirstEightCharactersOfTheUuidAsTheyAre() {
        assertThat(Device.configName(DeviceRole.SINK, "3F2504E0-4F89-11D3-9A0C-0305E82C3301")).isEqualTo("sink_3F2504E0");
        assertThat(Device.configName(DeviceRole.SOURCE, "abc")).isEqualTo("source_abc");
    }

    @Test
    void withoutARoleOnlyTheUuidPart() {
        assertThat(Device.configName(null, "0123456789")).isEqualTo("01234567");
        assertThat(new Device("0123456789", "sip:0123456789@d", null, "udp", null, null, null, true, null, null, null).configName())
                .isEqualTo("01234567");
    }
}
