package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.jmdns.impl.DNSIncoming;
import javax.jmdns.impl.DNSOutgoing;
import javax.jmdns.impl.DNSQuestion;
import javax.jmdns.impl.DNSRecord;
import javax.jmdns.impl.constants.DNSConstants;
import javax.jmdns.impl.constants.DNSRecordClass;
import javax.jmdns.impl.constants.DNSRecordType;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.mdns.internal.DnsMessage.Name;
import org.screamrouter.sip.mdns.internal.DnsMessage.Question;
import org.screamrouter.sip.mdns.internal.DnsMessage.Record;

/**
 * The wire format against another implementation (JmDNS's encoder and decoder, which compress names), and against
 * datagrams that lie about their sizes.
 */
class DnsMessageTest {
    private static final Name TYPE = Name.of("_screamrouter-sip._udp.local");
    private static final Name INSTANCE = TYPE.prefixed("SR v1.0 kitchen");
    private static final Name HOST = Name.of("screamrouter-1234abcd.local");

    @Test
    void anAnnouncementWrittenHereIsReadByJmdns() throws Exception {
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("router_uuid", "1234abcd-0000");
        txt.put("transport", "udp,tcp");
        DnsMessage announcement = new DnsMessage(0, DnsMessage.FLAG_RESPONSE | DnsMessage.FLAG_AUTHORITATIVE, List.of(),
                List.of(DnsMessage.ptr(TYPE, INSTANCE, 4500), DnsMessage.srv(INSTANCE, 25161, HOST, 120),
                        DnsMessage.txt(INSTANCE, txt, 4500), DnsMessage.address(HOST, InetAddress.getByName("127.0.0.1"), 120)),
                List.of(), List.of());
        byte[] bytes = announcement.encode();

        DNSIncoming in = new DNSIncoming(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("127.0.0.1"), 5353));
        assertThat(in.isResponse()).isTrue();
        List<DNSRecord> records = in.getAllAnswers();
        assertThat(records).hasSize(4);
        DNSRecord.Service srv = records.stream().filter(r -> r instanceof DNSRecord.Service).map(r -> (DNSRecord.Service) r)
                .findFirst().orElseThrow();
        assertThat(srv.getName()).isEqualTo("SR v1.0 kitchen._screamrouter-sip._udp.local.");
        assertThat(srv.getPort()).isEqualTo(25161);
        assertThat(srv.isUnique()).isTrue(); // the cache-flush bit
        assertThat(records.stream().filter(r -> r.getRecordType() == DNSRecordType.TYPE_TXT).findFirst().orElseThrow()
                .getServiceInfo().getPropertyString("transport")).isEqualTo("udp,tcp");
        assertThat(records.stream().filter(r -> r.getRecordType() == DNSRecordType.TYPE_PTR).findFirst().orElseThrow().getTTL())
                .isEqualTo(4500);

        // and back through this parser: the same records
        DnsMessage again = DnsMessage.parse(bytes, bytes.length);
        assertThat(again.answers()).containsExactlyElementsOf(announcement.answers());
    }

    @Test
    void aJmdnsProbeWithCompressedNamesIsReadHere() throws Exception {
        // JmDNS splits names at every dot, so its instance names hold none
        Name instance = TYPE.prefixed("SR kitchen");
        DNSOutgoing out = new DNSOutgoing(DNSConstants.FLAGS_QR_QUERY);
        out.addQuestion(DNSQuestion.newQuestion("SR kitchen._screamrouter-sip._udp.local.", DNSRecordType.TYPE_ANY,
                DNSRecordClass.CLASS_IN, DNSRecordClass.NOT_UNIQUE));
        out.addAuthorativeAnswer(new DNSRecord.Service("SR kitchen._screamrouter-sip._udp.local.", DNSRecordClass.CLASS_IN,
                DNSRecordClass.NOT_UNIQUE, 120, 0, 0, 25999, "other-host.local."));
        out.addAnswer(new DNSRecord.Pointer("_screamrouter-sip._udp.local.", DNSRecordClass.CLASS_IN, DNSRecordClass.NOT_UNIQUE,
                4500, "SR kitchen._screamrouter-sip._udp.local."), 0);
        byte[] bytes = out.data();

        DnsMessage probe = DnsMessage.parse(bytes, bytes.length);
        assertThat(probe.isResponse()).isFalse();
        assertThat(probe.questions()).singleElement().satisfies(q -> {
            assertThat(q.name()).isEqualTo(instance);
            assertThat(q.type()).isEqualTo(DnsMessage.TYPE_ANY);
        });
        // the names in the data, compressed by JmDNS, read back whole
        assertThat(probe.authorities()).singleElement().satisfies(r -> {
            assertThat(DnsMessage.srvPort(r.data())).isEqualTo(25999);
            assertThat(r.data()).isEqualTo(DnsMessage.srv(instance, 25999, Name.of("other-host.local"), 120).data());
        });
        assertThat(probe.answers()).singleElement().satisfies(r -> assertThat(r.sameRecordAs(DnsMessage.ptr(TYPE, instance, 1))).isTrue());
        Question q = probe.questions().get(0);
        assertThat(q.answeredBy(DnsMessage.txt(TYPE.prefixed("sr KITCHEN"), Map.of(), 1))).isTrue();
        assertThat(q.answeredBy(DnsMessage.txt(TYPE.prefixed("SR kitchen (2)"), Map.of(), 1))).isFalse();
    }

    @Test
    void namesCompareWithoutAsciiCase() {
        assertThat(Name.of("_SCREAMROUTER-sip._udp.LOCAL")).isEqualTo(TYPE).hasSameHashCodeAs(TYPE);
        assertThat(TYPE.prefixed("a.b")).isNotEqualTo(Name.of("a.b._screamrouter-sip._udp.local"));
    }

    @Test
    void datagramsThatLieAreRefusedWithTheReason() {
        // a compression pointer to itself, and two pointing at each other
        assertMalformed(bytes(header(1, 0), 0xc0, 12, 0, 1, 0, 1), "points to 12");
        assertMalformed(bytes(header(1, 0), 3, 'a', 'b', 'c', 0xc0, 12, 0, 1, 0, 1), "points to 12");
        // a pointer forward
        assertMalformed(bytes(header(1, 0), 0xc0, 40, 0, 1, 0, 1), "points to 40");
        // a label longer than the datagram
        assertMalformed(bytes(header(1, 0), 60, 'a', 'b', 0, 0, 0), "runs past the end");
        // counts that cannot fit
        assertMalformed(bytes(header(65535, 65535), 0), "do not fit");
        // record data longer than what is left
        assertMalformed(bytes(header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 10, 0xff, 0xff, 1, 2, 3, 4), "runs past the end");
        // a header cut short
        assertMalformed(new byte[] {0, 0, 0}, "cut off");
        // the reserved label types 01 and 10
        assertMalformed(bytes(header(1, 0), 0x40, 0, 1, 0, 1), "label type");
        // a name of more than 255 bytes: five labels of 63
        byte[] longName = new byte[12 + 5 * 64 + 5];
        System.arraycopy(header(1, 0), 0, longName, 0, 12);
        for (int i = 0; i < 5; i++) {
            longName[12 + i * 64] = 63;
            java.util.Arrays.fill(longName, 13 + i * 64, 13 + i * 64 + 63, (byte) 'x');
        }
        assertMalformed(longName, "longer than 255");
        // an SRV whose target name runs beyond its own length
        byte[] srv = DnsMessage.srv(INSTANCE, 1, HOST, 1).data();
        byte[] lying = new DnsMessage(0, DnsMessage.FLAG_RESPONSE, List.of(), List.of(new Record(INSTANCE, DnsMessage.TYPE_SRV,
                DnsMessage.CLASS_IN, false, 1, java.util.Arrays.copyOf(srv, 8))), List.of(), List.of()).encode();
        assertMalformed(lying, "");
        // and our own names refuse what DNS cannot carry
        assertThatThrownBy(() -> DnsMessage.nameBytes(TYPE.prefixed("x".repeat(64)))).hasMessageContaining("1 to 63");
    }

    private static void assertMalformed(byte[] datagram, String reason) {
        assertThatThrownBy(() -> DnsMessage.parse(datagram, datagram.length))
                .isInstanceOf(DnsMessage.Malformed.class).hasMessageContaining(reason);
    }

    private static byte[] header(int questions, int answers) {
        return new byte[] {0, 0, 0, 0, (byte) (questions >> 8), (byte) questions, (byte) (answers >> 8), (byte) answers, 0, 0, 0, 0};
    }

    private static byte[] bytes(byte[] head, int... rest) {
        byte[] out = java.util.Arrays.copyOf(head, head.length + rest.length);
        for (int i = 0; i < rest.length; i++) {
            out[head.length + i] = (byte) rest[i];
        }
        return out;
    }
}
