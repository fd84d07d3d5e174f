package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import javax.sip.address.URI;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * A Request-URI that names a device by the user part of its address-of-record (docs/presence.md), with many devices
 * registered: found through an index that follows the registry, not by walking every device per request.
 */
class AorUsersTest {
    private final Harness h = new Harness();
    private final ResourceState states = new ResourceState(h.registry, new Publications(), h.clock);

    private Optional<String> resource(String user) throws Exception {
        URI uri = FakeExchange.MESSAGES.addresses().createURI("sip:" + user + "@127.0.0.1:5999");
        return states.resource(uri, Subscription.PRESENCE, "screamrouter");
    }

    @Test
    void requestsForUsersNoDeviceHasDoNotWalkEveryDevice() throws Exception {
        for (int i = 0; i < 5_000; i++) h.device(String.format("00000000-0000-0000-0000-%012d", i), "sip:dev" + i + "@127.0.0.1", true);
        // anyone may send these (auth.mode = none by default), at the per-source rate: each walked and sorted every
        // device before, a hundred times a second from one address against 100,000 devices
        for (int i = 0; i < 200; i++) assertThat(resource("nobody-" + i)).isEmpty();
        assertThat(h.listings.get()).as("times every device was listed for 200 lookups").isLessThanOrEqualTo(1);
        assertThat(resource("dev4321")).contains("00000000-0000-0000-0000-000000004321");
        assertThat(h.listings.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void aUserOfSeveralDevicesNamesTheFirstByUuid() throws Exception {
        h.device("b-uuid", "sip:alice@10.0.0.1", true);
        h.device("a-uuid", "sip:alice@example.invalid", false);
        h.device("c-uuid", "sips:alice@10.0.0.2", true);
        assertThat(resource("alice")).contains("a-uuid");
        assertThat(resource("ali")).as("a prefix of a user is not that user").isEmpty();
        assertThat(resource("alice%00b")).isEmpty();
    }

    @Test
    void theIndexFollowsTheRegistryThroughDeviceEvents() throws Exception {
        h.device("u1", "sip:alice@10.0.0.1", true);
        assertThat(resource("alice")).contains("u1"); // the index is built now

        h.device("u2", "sip:bob@10.0.0.1", true); // registered after the index was built: its ONLINE event
        states.changed("u2");
        assertThat(resource("bob")).contains("u2");

        h.device("u1", "sip:carol@10.0.0.1", true); // registered again under another address-of-record
        assertThat(resource("alice")).as("what the index holds is checked against the registry").isEmpty();
        states.changed("u1");
        assertThat(resource("carol")).contains("u1");

        h.devices.remove("u2"); // forgotten (REMOVED)
        states.changed("u2");
        assertThat(resource("bob")).isEmpty();
        // events that come out of order read the registry again: an old event changes nothing
        states.changed("u1");
        assertThat(resource("carol")).contains("u1");
        assertThat(h.listings.get()).as("one walk, when the index was built").isEqualTo(1);
    }
}
