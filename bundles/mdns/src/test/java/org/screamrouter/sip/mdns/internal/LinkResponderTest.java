package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.mdns.internal.DnsMessage.Name;
import org.screamrouter.sip.mdns.internal.DnsMessage.Question;
import org.screamrouter.sip.mdns.internal.DnsMessage.Record;
import org.screamrouter.sip.mdns.internal.InterfaceSelection.LinkAddress;
import org.screamrouter.sip.mdns.internal.LoopbackPeer.Heard;

/**
 * The responder on 127.0.0.1 against another host made of datagrams ({@link LoopbackPeer}: what it hears, and what
 * it forges) and against JmDNS as a real peer. RFC 6762's probing, announcing, conflicts and defence, and what a
 * hostile host on the link can and cannot do. Every wait is a condition with a deadline.
 */
class LinkResponderTest {
    private static final Name TYPE = Name.of(MdnsPublication.SERVICE_TYPE);
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final LinkAddress LO = new LinkAddress("lo", LoopbackPeer.ipv4(127, 0, 0, 1));

    private static ServiceInstance instance(String name, int port) {
        return new ServiceInstance(MdnsPublication.SERVICE_TYPE, name, port, Map.of("router_uuid", "test-" + port));
    }

    private static boolean probeFor(Heard h, Name name) {
        return !h.message().isResponse() && !h.message().authorities().isEmpty()
                && h.message().questions().stream().anyMatch(q -> q.name().equals(name));
    }

    /** A probe of the responder's own: its proposed SRV names {@code port} (the peer hears its own forgeries too). */
    private static boolean probeFor(Heard h, Name name, int port) {
        return probeFor(h, name) && h.message().authorities().stream()
                .anyMatch(r -> r.type() == DnsMessage.TYPE_SRV && DnsMessage.srvPort(r.data()) == port);
    }

    private static boolean announces(Heard h, Name name, int port) {
        return h.message().isResponse() && h.message().answers().stream().anyMatch(r -> r.type() == DnsMessage.TYPE_SRV
                && r.name().equals(name) && DnsMessage.srvPort(r.data()) == port && r.ttl() > 0);
    }

    private static DnsMessage otherHostsSrv(Name name, int port, String host) {
        return new DnsMessage(0, DnsMessage.FLAG_RESPONSE | DnsMessage.FLAG_AUTHORITATIVE, List.of(),
                List.of(DnsMessage.srv(name, port, Name.of(host + ".local"), 120)), List.of(), List.of());
    }

    /** Another host's probe for {@code name}: its proposed SRV and TXT (data given) as authority records. */
    private static DnsMessage probe(Name name, int port, byte[] txtData) {
        return new DnsMessage(0, 0, List.of(new Question(name, DnsMessage.TYPE_ANY, DnsMessage.CLASS_IN, false)), List.of(),
                List.of(DnsMessage.srv(name, port, Name.of("other-host.local"), 120).withTtl(120, false),
                        new Record(name, DnsMessage.TYPE_TXT, DnsMessage.CLASS_IN, false, 4500, txtData)), List.of());
    }

    private static DnsMessage query(int id, Name name, int type) {
        return new DnsMessage(id, 0, List.of(new Question(name, type, DnsMessage.CLASS_IN, false)), List.of(), List.of(), List.of());
    }

    @Test
    void threeProbesAQuarterSecondApartThenTwoAnnouncementsTheFirstWithinASecond() throws Exception {
        Name full = TYPE.prefixed("LR timing");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-timing")) {
            long start = System.nanoTime();
            responder.announce(List.of(instance("LR timing", 25301)), System.nanoTime());
            List<Long> probes = new ArrayList<>();
            Heard first = peer.await(h -> {
                if (probeFor(h, full)) {
                    probes.add(h.at());
                }
                return announces(h, full, 25301);
            }, DEADLINE).orElseThrow(() -> new AssertionError("never announced; probes heard: " + probes.size()));
            long ms = (first.at() - start) / 1_000_000;
            System.out.printf("LinkResponderTest: first announcement %d ms after announce(), probes at %s ms%n", ms,
                    probes.stream().map(t -> (t - start) / 1_000_000).toList());
            assertThat(probes).hasSize(3);
            for (int i = 1; i < probes.size(); i++) {
                assertThat((probes.get(i) - probes.get(i - 1)) / 1_000_000).as("probe interval").isGreaterThanOrEqualTo(240);
            }
            assertThat((first.at() - probes.get(2)) / 1_000_000).as("wait after the last probe").isGreaterThanOrEqualTo(240);
            // RFC 6762's timings make it 0.75 to 1 s; the upper margin is for a loaded CI machine
            assertThat(ms).isBetween(740L, 1500L);
            assertThat(first.message().answers()).extracting(Record::type)
                    .contains(DnsMessage.TYPE_PTR, DnsMessage.TYPE_SRV, DnsMessage.TYPE_TXT, DnsMessage.TYPE_A);

            Heard second = peer.await(h -> announces(h, full, 25301), DEADLINE).orElseThrow();
            assertThat((second.at() - first.at()) / 1_000_000).as("the second announcement").isBetween(900L, 1500L);
        }
    }

    @Test
    void aProbeAnsweredByAnotherHostRenamesTheInstanceAndProbesTheNewName() throws Exception {
        Name full = TYPE.prefixed("LR taken");
        Name renamed = TYPE.prefixed("LR taken (2)");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-taken")) {
            responder.announce(List.of(instance("LR taken", 25311)), System.nanoTime());
            peer.await(h -> probeFor(h, full), DEADLINE).orElseThrow();
            peer.send(otherHostsSrv(full, 25999, "other-host"));

            peer.await(h -> probeFor(h, renamed), DEADLINE).orElseThrow(() -> new AssertionError("the new name was never probed"));
            peer.await(h -> announces(h, renamed, 25311), DEADLINE).orElseThrow();
            assertThat(responder.announcements()).singleElement().satisfies(a -> assertThat(a.instanceName()).isEqualTo("LR taken (2)"));
            assertThat(responder.noticeRenames()).isTrue();
            assertThat(responder.noticeRenames()).isFalse();
        }
    }

    @Test
    void aTieBreakIsLostToLaterDataWithASecondsWaitAndWonAgainstEarlierData() throws Exception {
        Name lose = TYPE.prefixed("LR tie lose");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-tie-lose")) {
            responder.announce(List.of(instance("LR tie lose", 25321)), System.nanoTime());
            peer.await(h -> probeFor(h, lose), DEADLINE).orElseThrow();
            // another host probing the same name at the same moment; RFC 6762 8.2 sorts each side's records by class,
            // type and data (TXT, type 16, before SRV, 33) and compares them in turn: its TXT's first byte, 0x7f, is
            // later than ours (a string of 22 bytes: 0x16), so it wins
            peer.send(probe(lose, 65000, new byte[] {0x7f, 'x'}));
            long sent = System.nanoTime();
            Heard next = peer.await(h -> probeFor(h, lose, 25321), DEADLINE).orElseThrow();
            assertThat((next.at() - sent) / 1_000_000).as("the loser's next probe").isGreaterThanOrEqualTo(950);
            peer.await(h -> announces(h, lose, 25321), DEADLINE).orElseThrow();
            assertThat(responder.announcements().get(0).instanceName()).isEqualTo("LR tie lose");
        }
        Name win = TYPE.prefixed("LR tie win");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-tie-win")) {
            long start = System.nanoTime();
            responder.announce(List.of(instance("LR tie win", 25322)), System.nanoTime());
            peer.await(h -> probeFor(h, win), DEADLINE).orElseThrow();
            // an empty TXT (one empty string: 0x00) is earlier than ours: this responder wins and goes on
            peer.send(probe(win, 65000, new byte[] {0}));
            Heard announced = peer.await(h -> announces(h, win, 25322), DEADLINE).orElseThrow();
            assertThat((announced.at() - start) / 1_000_000).as("the winner goes on").isLessThan(1500);
        }
    }

    @Test
    void aProbeForAnAnnouncedNameIsAnsweredAtOnceEvenWithinTheSecond() throws Exception {
        Name full = TYPE.prefixed("LR probed");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-probed")) {
            responder.announce(List.of(instance("LR probed", 25371)), System.nanoTime());
            Heard second = bothAnnouncements(peer, full, 25371);
            // the defence may repeat a record 250 ms after its last multicast (RFC 6762 section 6), a query 1 s after
            assertThat(peer.await(h -> false, Duration.ofMillis(300).minusNanos(System.nanoTime() - second.at()))).isEmpty();
            peer.send(probe(full, 25999, new byte[] {0x7f}));
            long sent = System.nanoTime();
            Heard defence = peer.await(h -> announces(h, full, 25371), Duration.ofSeconds(2)).orElseThrow(() -> new AssertionError("not defended"));
            assertThat((defence.at() - sent) / 1_000_000).as("the defence").isLessThan(200);
            assertThat(responder.announcements().get(0).instanceName()).isEqualTo("LR probed");
        }
    }

    @Test
    void anAnnouncedNameIsDefendedAgainstAJmdnsNewcomerWhichRenamesItself() throws Exception {
        Name full = TYPE.prefixed("LR defended");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-defended")) {
            responder.announce(List.of(instance("LR defended", 25331)), System.nanoTime());
            peer.await(h -> announces(h, full, 25331), DEADLINE).orElseThrow();

            JmDNS newcomer = JmDNS.create(LoopbackPeer.ipv4(127, 0, 0, 1), "lr-newcomer");
            try {
                ServiceInfo theirs = ServiceInfo.create(MdnsPublication.SERVICE_TYPE, "LR defended", 25332, "x=y");
                newcomer.registerService(theirs); // returns once JmDNS has probed and announced
                long end = System.nanoTime() + DEADLINE.toNanos();
                while (theirs.getName().equals("LR defended") && System.nanoTime() < end) {
                    Thread.sleep(50); // JmDNS's name has no change notification
                }
                assertThat(theirs.getName()).startsWith("LR defended").isNotEqualTo("LR defended");
            } finally {
                newcomer.close();
            }
            assertThat(responder.announcements().get(0).instanceName()).isEqualTo("LR defended");
            assertThat(responder.noticeRenames()).isFalse();
        }
    }

    @Test
    void aForgedClaimOnAnAnnouncedNameIsProbedAgainAndTheNameKept() throws Exception {
        Name full = TYPE.prefixed("LR forged");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-forged")) {
            responder.announce(List.of(instance("LR forged", 25341)), System.nanoTime());
            peer.await(h -> announces(h, full, 25341), DEADLINE).orElseThrow();
            // an attacker announces the name for its own port: nobody defends that claim against our probes
            peer.send(otherHostsSrv(full, 25999, "attacker"));
            peer.await(h -> probeFor(h, full), DEADLINE).orElseThrow(() -> new AssertionError("not probed again"));
            peer.await(h -> announces(h, full, 25341), DEADLINE).orElseThrow();
            assertThat(responder.announcements().get(0).instanceName()).isEqualTo("LR forged");
            assertThat(responder.announcements().get(0).port()).isEqualTo(25341);
        }
    }

    @Test
    void queriesAreAnsweredOnceASecondGarbageChangesNothingAndALegacyQueryGetsAUnicastAnswer() throws Exception {
        Name full = TYPE.prefixed("LR flood");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-flood")) {
            responder.announce(List.of(instance("LR flood", 25351)), System.nanoTime());
            // the second announcement, a second later, is the last multicast the queries below could race with
            bothAnnouncements(peer, full, 25351);
            Heard answered = askUntilAnswered(peer, full);

            // twenty more queries within the next second: none is answered, the record was just multicast
            for (int i = 0; i < 20; i++) {
                peer.send(query(0, full, DnsMessage.TYPE_SRV));
            }
            long quietUntil = answered.at() + 900_000_000L;
            Optional<Heard> extra = peer.await(h -> announces(h, full, 25351), Duration.ofNanos(quietUntil - System.nanoTime()));
            assertThat(extra).as("an answer within a second of the last").isEmpty();

            // garbage: compression loops, lying counts, a truncated header, thousands of each
            byte[] loop = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};
            byte[] counts = {0, 0, (byte) 0x84, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0};
            for (int i = 0; i < 3000; i++) {
                peer.send(loop, LoopbackPeer.GROUP);
                peer.send(counts, LoopbackPeer.GROUP);
                peer.send(new byte[] {1, 2, 3}, LoopbackPeer.GROUP);
            }
            askUntilAnswered(peer, full);
            assertThat(responder.announcements().get(0).instanceName()).isEqualTo("LR flood");

            // a legacy one-shot query (RFC 6762 section 6.7), as dig or a small resolver sends from another port
            try (LoopbackPeer legacy = new LoopbackPeer(0)) {
                legacy.send(query(0x1234, full, DnsMessage.TYPE_SRV));
                Heard reply = legacy.await(h -> h.message().isResponse() && h.message().id() == 0x1234, DEADLINE).orElseThrow();
                assertThat(reply.from().getPort()).isEqualTo(5353);
                assertThat(reply.message().questions()).singleElement().satisfies(q -> assertThat(q.name()).isEqualTo(full));
                assertThat(reply.message().answers()).singleElement().satisfies(r -> {
                    assertThat(DnsMessage.srvPort(r.data())).isEqualTo(25351);
                    assertThat(r.ttl()).isLessThanOrEqualTo(10);
                    assertThat(r.cacheFlush()).isFalse();
                });

                // its source could be forged: fifty more get at most ten answers a second (twenty if they straddle two)
                for (int i = 0; i < 50; i++) {
                    legacy.send(query(0x2000 + i, full, DnsMessage.TYPE_SRV));
                }
                int answers = 0;
                while (legacy.await(h -> h.message().isResponse() && h.message().id() >= 0x2000, Duration.ofMillis(500)).isPresent()) {
                    answers++;
                }
                assertThat(answers).isBetween(1, 20);
            }
        }
    }

    @Test
    void aQueryThatAlreadyHoldsTheAnswerIsNotAnswered() throws Exception {
        Name full = TYPE.prefixed("LR known");
        try (LoopbackPeer peer = new LoopbackPeer(5353); LinkResponder responder = LinkResponder.open(LO, "lr-known")) {
            responder.announce(List.of(instance("LR known", 25361)), System.nanoTime());
            bothAnnouncements(peer, full, 25361);
            Heard last = askUntilAnswered(peer, full);
            // past the once-a-second limit, a querier that holds the SRV with its whole TTL left lists it: no answer
            Duration sinceLast = Duration.ofNanos(System.nanoTime() - last.at());
            assertThat(peer.await(h -> false, Duration.ofMillis(1100).minus(sinceLast))).isEmpty(); // the limit's second passes
            DnsMessage withKnown = new DnsMessage(0, 0, List.of(new Question(full, DnsMessage.TYPE_SRV, DnsMessage.CLASS_IN, false)),
                    List.of(DnsMessage.srv(full, 25361, Name.of("lr-known.local"), LinkResponder.HOST_TTL)), List.of(), List.of());
            peer.send(withKnown);
            assertThat(peer.await(h -> h.message().isResponse() && h.message().answers().size() == 1, Duration.ofMillis(500)))
                    .as("an answer the querier listed as known").isEmpty();
            askUntilAnswered(peer, full); // without the known answer it is answered
        }
    }

    @Test
    void onlySourcesOnTheInterfacesPrefixesAreRead() throws Exception {
        try (LinkResponder responder = LinkResponder.open(LO, "lr-onlink")) {
            assertThat(responder.onLink(LoopbackPeer.ipv4(127, 7, 7, 7))).isTrue();
            assertThat(responder.onLink(LoopbackPeer.ipv4(10, 0, 0, 1))).isFalse();
            assertThat(responder.onLink(LoopbackPeer.ipv4(192, 168, 1, 20))).isFalse();
        }
    }

    /** Waits for the two announcements after probing (RFC 6762 section 8.3); returns the second. */
    private static Heard bothAnnouncements(LoopbackPeer peer, Name full, int port) throws IOException {
        Heard first = peer.await(h -> announces(h, full, port), DEADLINE).orElseThrow(() -> new AssertionError("never announced"));
        return peer.await(h -> announces(h, full, port) && h.at() > first.at(), DEADLINE)
                .orElseThrow(() -> new AssertionError("announced once only"));
    }

    /** Asks for the SRV record every 200 ms (an answer is held back within a second of the last) until it comes. */
    private static Heard askUntilAnswered(LoopbackPeer peer, Name full) throws IOException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            peer.send(query(0, full, DnsMessage.TYPE_SRV));
            Optional<Heard> answer = peer.await(h -> h.message().isResponse() && h.message().answers().size() == 1
                    && h.message().answers().get(0).name().equals(full), Duration.ofMillis(200));
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        throw new AssertionError("no answer to a query for " + full + " within " + DEADLINE);
    }
}
