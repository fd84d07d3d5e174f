package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * An item of a top-level list to its text and back: the text is what {@link YamlNodes#dump} writes for the item in
 * an indentless block list under a top-level key ({@code - key: value\n  key: value\n}), so that a document's text is
 * its items' texts put together. The text is made by SnakeYAML ({@code {key: [item]}} dumped, its first line dropped)
 * or, for a plain entry of simple scalars (a hand-written or new entry), written directly: SnakeYAML's emitter costs
 * about a microsecond per byte, which is seconds for a hundred thousand entries. Such a text is read back directly too
 * (a device change opens its entry: SnakeYAML's composer costs tens of microseconds); any other through SnakeYAML.
 *
 * <p>What is written directly is only what SnakeYAML itself writes as plain text: a block mapping (tag {@code !!map},
 * no flow style) of keys and values that are plain-style scalars of letters, digits and {@code _ . / -} (starting with a
 * letter, digit or {@code _}), whose tag is the one the resolver would give that text (so neither is quoted nor
 * tagged). Tests compare both ways on every fixture.
 *
 * <p>{@link #parse} may be called from any thread (the views read entries with it); {@link #text} from one at a time.
 */
final class EntryCodec {

    private final Resolver resolver = new Resolver();
    /** Short values repeat (ports, rates, true, keys): what the resolver made of them, bounded; {@link #text} only. */
    private final java.util.Map<String, Tag> resolved = new java.util.HashMap<>();
    private Yaml dumper;

    /** The item's text as a whole dump writes it. */
    String text(Node item) {
        String text = direct(item);
        if (text == null) {
            if (dumper == null) {
                dumper = YamlNodes.dumper();
            }
            MappingNode one = new MappingNode(Tag.MAP, new ArrayList<>(List.of(new NodeTuple(YamlNodes.scalar("x"),
                    YamlNodes.sequence(Tag.SEQ, List.of(item))))), DumperOptions.FlowStyle.BLOCK);
            String dumped = YamlNodes.dump(dumper, one);
            text = dumped.substring(dumped.indexOf('\n') + 1);
        }
        return text;
    }

    /** The item a text of {@link #text} stands for (a new node tree). Any thread. */
    Node parse(String text) {
        return parse(text, false);
    }

    /** {@link #parse(String)} by the thread that calls {@link #text}: it may use the resolver's cache. */
    Node parseConfined(String text) {
        return parse(text, true);
    }

    private Node parse(String text, boolean confined) {
        Node direct = parseDirect(text, confined);
        if (direct != null) {
            return direct;
        }
        try {
            return ((SequenceNode) YamlNodes.compose(text)).getValue().get(0);
        } catch (ConfigParseException | RuntimeException e) {
            throw new IllegalStateException("an entry's own text does not read back: " + text, e);
        }
    }

    /** A plain entry of simple scalars written as SnakeYAML writes it in an indentless list, or {@code null}. */
    private String direct(Node item) {
        if (!(item instanceof MappingNode m) || !Tag.MAP.equals(m.getTag()) || m.getFlowStyle() != DumperOptions.FlowStyle.BLOCK
                || m.getValue().isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder(32 * m.getValue().size());
        String indent = "- ";
        for (NodeTuple t : m.getValue()) {
            String k = t.getKeyNode() instanceof ScalarNode key ? plain(key) : null;
            String v = t.getValueNode() instanceof ScalarNode value ? plain(value) : null;
            if (k == null || v == null) {
                return null;
            }
            s.append(indent).append(k).append(": ").append(v).append('\n');
            indent = "  ";
        }
        return s.toString();
    }

    /** The inverse of {@link #direct}: {@code null} for a text not in that form. {@code confined}: may use the cache. */
    private Node parseDirect(String text, boolean confined) {
        List<NodeTuple> tuples = new ArrayList<>();
        int at = 0;
        int n = text.length();
        while (at < n) {
            if (!text.startsWith(tuples.isEmpty() ? "- " : "  ", at)) {
                return null;
            }
            int end = text.indexOf('\n', at);
            int colon = text.indexOf(": ", at + 2);
            if (end < 0 || colon < 0 || colon > end) {
                return null;
            }
            String k = text.substring(at + 2, colon);
            String v = text.substring(colon + 2, end);
            if (!simple(k) || !simple(v)) {
                return null;
            }
            Tag kt = confined ? resolve(k) : resolver.resolve(NodeId.scalar, k, true);
            Tag vt = confined ? resolve(v) : resolver.resolve(NodeId.scalar, v, true);
            tuples.add(new NodeTuple(new ScalarNode(kt, k, null, null, DumperOptions.ScalarStyle.PLAIN),
                    new ScalarNode(vt, v, null, null, DumperOptions.ScalarStyle.PLAIN)));
            at = end + 1;
        }
        return tuples.isEmpty() ? null : new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.BLOCK);
    }

    /** The scalar's text when SnakeYAML writes it plain and untagged, else {@code null}. */
    String plain(ScalarNode s) {
        String v = s.getValue();
        if (s.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN || !simple(v) || !resolve(v).equals(s.getTag())) {
            return null;
        }
        return v;
    }

    /** 1 to 100 of {@code A-Z a-z 0-9 _ . / -}, starting with a letter, digit or {@code _}. */
    private static boolean simple(String v) {
        int n = v.length();
        if (n == 0 || n > 100) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || i > 0 && (c == '.' || c == '/' || c == '-');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private Tag resolve(String v) {
        if (v.length() > 12) {
            return resolver.resolve(NodeId.scalar, v, true);
        }
        Tag tag = resolved.get(v);
        if (tag == null) {
            if (resolved.size() >= 4096) {
                resolved.clear();
            }
            tag = resolver.resolve(NodeId.scalar, v, true);
            resolved.put(v, tag);
        }
        return tag;
    }
}
