package org.screamrouter.sip.mdns.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A multicast DNS message in the wire format of RFC 1035 section 4, with RFC 6762's two changes: the top bit of a
 * question's class asks for a unicast answer (section 5.4), the top bit of a record's class flushes caches (section
 * 10.2).
 *
 * <p>{@link #parse} reads bytes from anyone on the link, who may lie about every count, length and offset: it never
 * reads outside the datagram, a compression pointer must point backwards (so a loop is impossible), a name is at most
 * 255 bytes, and anything wrong ends in {@link Malformed}. Names inside the data of PTR and SRV records are read
 * through compression and kept uncompressed, which is the form RFC 6762 section 8.2 compares. {@link #encode} writes
 * without compression: the router's messages are a few hundred bytes.
 */
record DnsMessage(int id, int flags, List<Question> questions, List<Record> answers, List<Record> authorities,
                  List<Record> additionals) {
    static final int TYPE_A = 1;
    static final int TYPE_PTR = 12;
    static final int TYPE_TXT = 16;
    static final int TYPE_AAAA = 28;
    static final int TYPE_SRV = 33;
    static final int TYPE_ANY = 255;
    static final int CLASS_IN = 1;
    static final int CLASS_ANY = 255;
    static final int FLAG_RESPONSE = 0x8000;
    static final int FLAG_AUTHORITATIVE = 0x0400;
    /** RFC 6762 section 17: a message, headers included, is at most 9000 bytes. */
    static final int MAX_SIZE = 9000;
    private static final int HEADER = 12;
    private static final int TOP_BIT = 0x8000;

    DnsMessage {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    boolean isResponse() {
        return (flags & FLAG_RESPONSE) != 0;
    }

    /** The bytes given cannot be a DNS message; the reason says where they went wrong. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason);
        }
    }

    /** A domain name: its labels as given, compared without regard to ASCII case (RFC 1035 section 2.3.3). */
    static final class Name {
        private final List<String> labels;
        private final String key;

        Name(List<String> labels) {
            this.labels = List.copyOf(labels);
            StringBuilder k = new StringBuilder();
            for (String label : labels) {
                k.append(label.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace(".", "\\.")).append('.');
            }
            this.key = k.toString();
        }

        /** A name of labels separated by dots, e.g. {@code _screamrouter-sip._udp.local.}; no label may hold a dot. */
        static Name of(String dotted) {
            List<String> labels = new ArrayList<>();
            for (String label : dotted.split("\\.")) {
                if (!label.isEmpty()) {
                    labels.add(label);
                }
            }
            return new Name(labels);
        }

        /** This name with {@code label} in front, e.g. an instance name in front of its service type. */
        Name prefixed(String label) {
            List<String> out = new ArrayList<>(labels.size() + 1);
            out.add(label);
            out.addAll(labels);
            return new Name(out);
        }

        List<String> labels() {
            return labels;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && n.key.equals(key);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            for (String label : labels) {
                s.append(label.replace("\\", "\\\\").replace(".", "\\.")).append('.');
            }
            return s.toString();
        }
    }

    record Question(Name name, int type, int dnsClass, boolean unicastResponse) {
        /** Whether {@code record} answers this question (RFC 1035 section 3.7.1; type and class ANY match all). */
        boolean answeredBy(Record record) {
            return name.equals(record.name())
                    && (type == TYPE_ANY || type == record.type())
                    && (dnsClass == CLASS_ANY || dnsClass == record.dnsClass());
        }
    }

    /** A resource record; {@code data} is its RDATA with any names in it uncompressed. */
    record Record(Name name, int type, int dnsClass, boolean cacheFlush, long ttl, byte[] data) {
        /** The same name, type, class and data: the same record whatever its TTL and cache-flush bit. */
        boolean sameRecordAs(Record o) {
            return type == o.type && dnsClass == o.dnsClass && name.equals(o.name) && Arrays.equals(data, o.data);
        }

        Record withTtl(long newTtl, boolean flush) {
            return new Record(name, type, dnsClass, flush, newTtl, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Record r && sameRecordAs(r) && ttl == r.ttl && cacheFlush == r.cacheFlush;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + type * 7 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return name + " type " + type + " ttl " + ttl + (cacheFlush ? " flush" : "") + " " + data.length + " bytes";
        }
    }

    // ---- records the router announces

    static Record ptr(Name name, Name target, long ttl) {
        return new Record(name, TYPE_PTR, CLASS_IN, false, ttl, nameBytes(target));
    }

    static Record srv(Name name, int port, Name target, long ttl) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeShort(out, 0); // priority
        writeShort(out, 0); // weight
        writeShort(out, port);
        out.writeBytes(nameBytes(target));
        return new Record(name, TYPE_SRV, CLASS_IN, true, ttl, out.toByteArray());
    }

    /** TXT as RFC 6763 section 6: one {@code key=value} string each, at most 255 bytes each. */
    static Record txt(Name name, java.util.Map<String, String> entries, long ttl) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (java.util.Map.Entry<String, String> e : entries.entrySet()) {
            byte[] s = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
            if (s.length > 255) {
                throw new IllegalArgumentException("TXT entry " + e.getKey() + " is " + s.length + " bytes; at most 255");
            }
            out.write(s.length);
            out.writeBytes(s);
        }
        if (out.size() == 0) {
            out.write(0); // RFC 6763 section 6.1: an empty TXT record is one empty string
        }
        return new Record(name, TYPE_TXT, CLASS_IN, true, ttl, out.toByteArray());
    }

    static Record address(Name host, java.net.InetAddress address, long ttl) {
        int type = address.getAddress().length == 4 ? TYPE_A : TYPE_AAAA;
        return new Record(host, type, CLASS_IN, true, ttl, address.getAddress());
    }

    /** The port of an SRV record's data, or -1 when it is too short. */
    static int srvPort(byte[] data) {
        return data.length < 6 ? -1 : ((data[4] & 0xff) << 8) | (data[5] & 0xff);
    }

    // ---- encoding

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        writeShort(out, id);
        writeShort(out, flags);
        writeShort(out, questions.size());
        writeShort(out, answers.size());
        writeShort(out, authorities.size());
        writeShort(out, additionals.size());
        for (Question q : questions) {
            out.writeBytes(nameBytes(q.name()));
            writeShort(out, q.type());
            writeShort(out, q.dnsClass() | (q.unicastResponse() ? TOP_BIT : 0));
        }
        for (List<Record> section : List.of(answers, authorities, additionals)) {
            for (Record r : section) {
                out.writeBytes(nameBytes(r.name()));
                writeShort(out, r.type());
                writeShort(out, r.dnsClass() | (r.cacheFlush() ? TOP_BIT : 0));
                writeShort(out, (int) (r.ttl() >>> 16));
                writeShort(out, (int) r.ttl());
                writeShort(out, r.data().length);
                out.writeBytes(r.data());
            }
        }
        if (out.size() > MAX_SIZE) {
            throw new IllegalStateException("an mDNS message of " + out.size() + " bytes; at most " + MAX_SIZE);
        }
        return out.toByteArray();
    }

    /** A name in uncompressed wire form; labels of 1 to 63 bytes, the whole at most 255 (RFC 1035 section 2.3.4). */
    static byte[] nameBytes(Name name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.labels()) {
            byte[] b = label.getBytes(StandardCharsets.UTF_8);
            if (b.length == 0 || b.length > 63) {
                throw new IllegalArgumentException("the DNS label '" + label + "' is " + b.length + " bytes; 1 to 63 allowed");
            }
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
        if (out.size() > 255) {
            throw new IllegalArgumentException("the DNS name " + name + " is " + out.size() + " bytes; at most 255");
        }
        return out.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write((v >>> 8) & 0xff);
        out.write(v & 0xff);
    }

    // ---- parsing

    static DnsMessage parse(byte[] data, int length) throws Malformed {
        if (length > data.length || length > MAX_SIZE) {
            throw new Malformed("a message of " + length + " bytes; at most " + MAX_SIZE);
        }
        Reader in = new Reader(data, length);
        int id = in.u16();
        int flags = in.u16();
        int qd = in.u16();
        int an = in.u16();
        int ns = in.u16();
        int ar = in.u16();
        // each question needs at least 5 bytes and each record 11: counts beyond that are lies, refused before looping
        if ((long) qd * 5 + (long) (an + ns + ar) * 11 > length - HEADER) {
            throw new Malformed("counts " + qd + "/" + an + "/" + ns + "/" + ar + " do not fit in " + length + " bytes");
        }
        List<Question> questions = new ArrayList<>(qd);
        for (int i = 0; i < qd; i++) {
            Name name = in.name();
            int type = in.u16();
            int cls = in.u16();
            questions.add(new Question(name, type, cls & ~TOP_BIT, (cls & TOP_BIT) != 0));
        }
        List<Record> answers = in.records(an);
        List<Record> authorities = in.records(ns);
        List<Record> additionals = in.records(ar);
        return new DnsMessage(id, flags, questions, answers, authorities, additionals);
    }

    private static final class Reader {
        private final byte[] data;
        private final int end;
        private int pos;

        Reader(byte[] data, int end) {
            this.data = data;
            this.end = end;
        }

        int u8() throws Malformed {
            if (pos >= end) {
                throw new Malformed("cut off at byte " + pos);
            }
            return data[pos++] & 0xff;
        }

        int u16() throws Malformed {
            return (u8() << 8) | u8();
        }

        long u32() throws Malformed {
            return ((long) u16() << 16) | u16();
        }

        List<Record> records(int count) throws Malformed {
            List<Record> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Name name = name();
                int type = u16();
                int cls = u16();
                long ttl = u32();
                int rdLength = u16();
                int rdStart = pos;
                if (rdLength > end - rdStart) {
                    throw new Malformed("record data of " + rdLength + " bytes at byte " + rdStart + " runs past the end");
                }
                byte[] rdata;
                if (type == TYPE_PTR) {
                    rdata = nameBytes(name());
                } else if (type == TYPE_SRV) {
                    if (rdLength < 7) {
                        throw new Malformed("an SRV record of " + rdLength + " bytes");
                    }
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(data, rdStart, 6);
                    pos = rdStart + 6;
                    b.writeBytes(nameBytes(name()));
                    rdata = b.toByteArray();
                } else {
                    rdata = Arrays.copyOfRange(data, rdStart, rdStart + rdLength);
                }
                if (type == TYPE_PTR || type == TYPE_SRV) {
                    if (pos != rdStart + rdLength) {
                        throw new Malformed("a name in record data ends at byte " + pos + ", its length says " + (rdStart + rdLength));
                    }
                }
                pos = rdStart + rdLength;
                out.add(new Record(name, type, cls & ~TOP_BIT, (cls & TOP_BIT) != 0, ttl, rdata));
            }
            return out;
        }

        /**
         * A name at the reader's position, following compression pointers (RFC 1035 section 4.1.4). Each pointer must
         * point before the part of the name read so far, so every jump goes further back and the reading ends.
         */
        Name name() throws Malformed {
            List<String> labels = new ArrayList<>();
            int at = pos;
            int segmentStart = pos;
            int resume = -1;
            int wireLength = 1;
            while (true) {
                if (at >= end) {
                    throw new Malformed("a name runs past the end at byte " + at);
                }
                int len = data[at] & 0xff;
                if (len == 0) {
                    at++;
                    break;
                }
                if ((len & 0xc0) == 0xc0) {
                    if (at + 1 >= end) {
                        throw new Malformed("a compression pointer cut off at byte " + at);
                    }
                    int target = ((len & 0x3f) << 8) | (data[at + 1] & 0xff);
                    if (target >= segmentStart) {
                        throw new Malformed("a compression pointer at byte " + at + " points to " + target
                                + ", not before the name's part at " + segmentStart);
                    }
                    if (resume < 0) {
                        resume = at + 2;
                    }
                    at = target;
                    segmentStart = target;
                    continue;
                }
                if ((len & 0xc0) != 0) {
                    throw new Malformed("label type 0x" + Integer.toHexString(len & 0xc0) + " at byte " + at);
                }
                if (at + 1 + len > end) {
                    throw new Malformed("a label of " + len + " bytes at byte " + at + " runs past the end");
                }
                wireLength += len + 1;
                if (wireLength > 255) {
                    throw new Malformed("a name longer than 255 bytes at byte " + pos);
                }
                labels.add(new String(data, at + 1, len, StandardCharsets.UTF_8));
                at += 1 + len;
            }
            pos = resume >= 0 ? resume : at;
            return new Name(labels);
        }
    }
}
