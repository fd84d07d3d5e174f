package org.screamrouter.sip.stack.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cuts a TCP byte stream into SIP messages (RFC 3261 18.3): a header section up to the empty line, then as many
 * body bytes as its one Content-Length says. Replaces JAIN-SIP's NIO framer, which knows only the long header names
 * ({@code l:} and {@code i:} are RFC 3261 compact forms used by much of RFC 4475: esc01's body was read as header
 * lines and its connection closed), takes whichever of several Content-Lengths came last, and dispatches a
 * connection's messages to its pool threads out of order.
 *
 * <p>Between messages, a double CRLF is an RFC 5626 keep-alive ping; a single CRLF is skipped. A framing fault (two
 * Content-Lengths, one that is not a number or is negative, a message larger than the limit) is reported with the
 * header section so far, after which the stream cannot be read on: the caller answers and closes the connection.
 */
final class StreamFramer {
    /** What the framer found. */
    interface Sink {
        void message(byte[] headers, byte[] body) throws IOException;

        void keepAlive() throws IOException;

        /** A framing fault: {@code headers} is the header section (possibly partial), never null. */
        void framingFault(byte[] headers, String fault) throws IOException;
    }

    private final int maxMessageSize;
    private final Sink sink;
    private byte[] buffer = new byte[0];
    private boolean broken;

    StreamFramer(int maxMessageSize, Sink sink) {
        this.maxMessageSize = maxMessageSize > 0 ? maxMessageSize : 65536;
        this.sink = sink;
    }

    /** Adds what the connection delivered; calls the sink for each complete message. */
    void add(byte[] bytes) throws IOException {
        if (broken) {
            return;
        }
        byte[] joined = Arrays.copyOf(buffer, buffer.length + bytes.length);
        System.arraycopy(bytes, 0, joined, buffer.length, bytes.length);
        buffer = joined;
        int start = 0;
        while (!broken) {
            // between messages: CRLF keep-alives (RFC 5626 4.4.1)
            if (buffer.length - start >= 4 && buffer[start] == '\r' && buffer[start + 1] == '\n' && buffer[start + 2] == '\r' && buffer[start + 3] == '\n') {
                start += 4;
                sink.keepAlive();
                continue;
            }
            if (buffer.length - start >= 2 && buffer[start] == '\r' && buffer[start + 1] == '\n'
                    && !(buffer.length - start >= 3 && buffer[start + 2] == '\r')) {
                start += 2;
                continue;
            }
            int end = headerEnd(buffer, start);
            if (end < 0) {
                if (buffer.length - start > maxMessageSize) {
                    fault(Arrays.copyOfRange(buffer, start, buffer.length), "Message larger than " + maxMessageSize + " bytes");
                }
                break;
            }
            byte[] headers = Arrays.copyOfRange(buffer, start, end);
            long length;
            try {
                length = contentLength(headers);
            } catch (IOException e) {
                fault(headers, e.getMessage());
                break;
            }
            if (headers.length + length > maxMessageSize) {
                fault(headers, "Message larger than " + maxMessageSize + " bytes");
                break;
            }
            if (buffer.length - end < length) {
                break; // the body is still on its way
            }
            byte[] body = Arrays.copyOfRange(buffer, end, end + (int) length);
            start = end + (int) length;
            sink.message(headers, body);
        }
        buffer = broken ? new byte[0] : Arrays.copyOfRange(buffer, Math.min(start, buffer.length), buffer.length);
    }

    private void fault(byte[] headers, String fault) throws IOException {
        broken = true;
        sink.framingFault(headers, fault);
    }

    /** The index just past the empty line that ends the header section starting at {@code from}, or -1. */
    private static int headerEnd(byte[] b, int from) {
        for (int i = from; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * The value of the one Content-Length ({@code l}) header, 0 when there is none (JAIN-SIP's reading; RFC 3261
     * 18.3 makes it mandatory on streams, and a message without a body loses nothing).
     */
    static long contentLength(byte[] headers) throws IOException {
        String text = new String(headers, StandardCharsets.ISO_8859_1);
        Long found = null;
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!name.equals("content-length") && !name.equals("l")) continue;
            if (found != null) {
                throw new IOException("More than one Content-Length");
            }
            String value = line.substring(colon + 1).trim();
            if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
                throw new IOException("Content-Length is not a number of octets: " + value);
            }
            found = Long.parseLong(value);
        }
        return found == null ? 0 : found;
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
