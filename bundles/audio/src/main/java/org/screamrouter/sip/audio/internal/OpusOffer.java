package org.screamrouter.sip.audio.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts ScreamRouter's Opus sender parameters into a remote offer before the engine reads it. libwebrtc configures its
 * Opus encoder from the remote side's format parameters (RFC 7587 section 6.1: {@code stereo}, {@code
 * maxaveragebitrate}, {@code useinbandfec}, {@code minptime}, and {@code a=ptime}), so this is where a sender's frame
 * size, bitrate and channel count are chosen. ScreamRouter sends 2.5 ms frames; libwebrtc's smallest is 10 ms.
 */
final class OpusOffer {
    private static final Pattern OPUS_RTPMAP = Pattern.compile("^a=rtpmap:(\\d+) opus/48000(/2)?$", Pattern.CASE_INSENSITIVE);

    private OpusOffer() {
    }

    /** The offer with the Opus fmtp of every audio section set to ScreamRouter's sender parameters. */
    static String withSenderParameters(String offer, int bitrate, int frameMillis) {
        String eol = offer.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = offer.split("\r?\n");
        List<String> out = new ArrayList<>(lines.length + 4);
        // find the Opus payload types first (an fmtp line may come before its rtpmap)
        List<String> opus = new ArrayList<>();
        for (String l : lines) {
            Matcher m = OPUS_RTPMAP.matcher(l.trim());
            if (m.matches()) opus.add(m.group(1));
        }
        boolean inAudio = false;
        boolean ptimeSeen = false;
        List<String> fmtpWritten = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("m=")) {
                if (inAudio && !ptimeSeen) out.add("a=ptime:" + frameMillis);
                inAudio = l.startsWith("m=audio");
                ptimeSeen = false;
            }
            if (inAudio && l.startsWith("a=ptime:")) {
                out.add("a=ptime:" + frameMillis);
                ptimeSeen = true;
                continue;
            }
            if (inAudio && l.startsWith("a=fmtp:")) {
                String pt = l.substring(7, l.indexOf(' ') > 0 ? l.indexOf(' ') : l.length());
                if (opus.contains(pt)) {
                    out.add("a=fmtp:" + pt + " " + parameters(l.indexOf(' ') > 0 ? l.substring(l.indexOf(' ') + 1) : "", bitrate, frameMillis));
                    fmtpWritten.add(pt);
                    continue;
                }
            }
            out.add(l);
            Matcher m = OPUS_RTPMAP.matcher(l.trim());
            if (inAudio && m.matches() && !hasFmtp(lines, m.group(1))) {
                out.add("a=fmtp:" + m.group(1) + " " + parameters("", bitrate, frameMillis));
            }
        }
        if (inAudio && !ptimeSeen) out.add("a=ptime:" + frameMillis);
        return String.join(eol, out) + eol;
    }

    private static boolean hasFmtp(String[] lines, String pt) {
        for (String l : lines) if (l.startsWith("a=fmtp:" + pt + " ")) return true;
        return false;
    }

    static String parameters(String existing, int bitrate, int frameMillis) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String kv : existing.split(";")) {
            String t = kv.trim();
            if (t.isEmpty()) continue;
            int eq = t.indexOf('=');
            p.put((eq < 0 ? t : t.substring(0, eq)).toLowerCase(Locale.ROOT), eq < 0 ? "" : t.substring(eq + 1));
        }
        p.put("minptime", Integer.toString(frameMillis));
        p.put("maxaveragebitrate", Integer.toString(bitrate));
        p.put("useinbandfec", "0");
        p.put("stereo", "1");
        p.put("sprop-stereo", "1");
        StringBuilder b = new StringBuilder();
        p.forEach((k, v) -> b.append(b.length() == 0 ? "" : ";").append(k).append(v.isEmpty() ? "" : "=" + v));
        return b.toString();
    }

    /** Whether the offer has an audio section with Opus. */
    static boolean hasOpus(String offer) {
        for (String l : offer.split("\r?\n")) if (OPUS_RTPMAP.matcher(l.trim()).matches()) return true;
        return false;
    }
}
