package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Only explicit loopback entries: the default (every real interface) is never chosen in a test. */
class InterfaceSelectionTest {
    @Test
    void anAddressEntryPicksThatAddressOnItsInterface() throws Exception {
        InterfaceSelection.Result r = InterfaceSelection.choose(new String[] {"127.0.0.1"}, "0.0.0.0");
        assertThat(r.addresses()).singleElement().satisfies(a -> {
            assertThat(a.address().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(a.interfaceName()).isEqualTo("lo");
        });
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void anInterfaceNameGivesItsIpv4AddressesWhenTheStackListensOnIpv4() throws Exception {
        InterfaceSelection.Result r = InterfaceSelection.choose(new String[] {"lo"}, "0.0.0.0");
        assertThat(r.addresses()).extracting(a -> a.address().getHostAddress()).containsExactly("127.0.0.1");
    }

    @Test
    void anAddressTheStackDoesNotListenOnIsLeftOutWithTheReason() throws Exception {
        InterfaceSelection.Result r = InterfaceSelection.choose(new String[] {"127.0.0.1"}, "127.0.0.2");
        assertThat(r.addresses()).isEmpty();
        assertThat(r.problems()).singleElement().asString().contains("does not listen there");
    }

    @Test
    void unknownEntriesAreReportedAndNeverLookedUp() throws Exception {
        InterfaceSelection.Result r = InterfaceSelection.choose(new String[] {"999.1.1.1, no-such-if0", "router.example"}, "0.0.0.0");
        assertThat(r.addresses()).isEmpty();
        assertThat(r.problems()).hasSize(3);
        assertThat(InterfaceSelection.literal("999.1.1.1")).isEmpty();
        assertThat(InterfaceSelection.literal("router.example")).isEmpty();
        assertThat(InterfaceSelection.literal("g::1")).isEmpty();
        assertThat(InterfaceSelection.literal("::1")).isPresent();
    }

    @Test
    void entriesMaySeparateAddressesWithCommas() {
        assertThat(InterfaceSelection.split(new String[] {"198.18.0.1, lo", " ", "veth0"}))
                .containsExactly("198.18.0.1", "lo", "veth0");
    }
}
