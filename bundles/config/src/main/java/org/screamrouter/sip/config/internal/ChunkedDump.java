package org.screamrouter.sip.config.internal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 * Writes a config.yaml node tree exactly as {@link YamlNodes#dump} does, at a cost that does not grow with the
 * entries nobody changed. The text of every list item of a top-level list is kept, by item node, until
 * {@link #forget} is called for it (the document calls it for every entry a change touches): a write serializes only
 * the changed entries. An item's text is made by SnakeYAML ({@code {key: [item]}} dumped, its first line dropped) or,
 * for a plain entry of simple scalars (a hand-written or new entry), written directly: SnakeYAML's emitter costs about
 * a microsecond per byte, which is seconds for a hundred thousand entries.
 *
 * <p>What is written directly is only what SnakeYAML itself writes as plain text: a block mapping (tag {@code !!map},
 * no flow style) of keys and values that are plain-style scalars of letters, digits and {@code _ . / -} (starting with a
 * letter, digit or {@code _}), whose tag is the one the resolver would give that text (so neither is quoted nor
 * tagged). Anything else goes through SnakeYAML. A document with a node in two places (anchors and aliases), or with a
 * root that is not a block mapping, is dumped whole by SnakeYAML. Tests compare both ways on every fixture.
 */
final class ChunkedDump {

    private final Resolver resolver = new Resolver();
    /** Short values repeat (ports, rates, true, keys): what the resolver made of them, bounded. */
    private final Map<String, Tag> resolved = new java.util.HashMap<>();
    private final Map<Node, String> items = new IdentityHashMap<>();
    private int lastLength;

    /** The text of the document rooted at {@code root}; {@code shared}: the tree has a node in two places. */
    String dump(MappingNode root, boolean shared) {
        if (shared || root.getFlowStyle() != DumperOptions.FlowStyle.BLOCK || !Tag.MAP.equals(root.getTag()) || root.getValue().isEmpty()) {
            return YamlNodes.dump(root);
        }
        Yaml yaml = YamlNodes.dumper();
        StringBuilder out = new StringBuilder(lastLength + lastLength / 8 + 1024);
        for (NodeTuple t : root.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode k ? plain(k) : null;
            if (key != null && t.getValueNode() instanceof SequenceNode list && Tag.SEQ.equals(list.getTag())
                    && list.getFlowStyle() == DumperOptions.FlowStyle.BLOCK && !list.getValue().isEmpty()) {
                out.append(key).append(":\n");
                for (Node item : list.getValue()) {
                    out.append(item(yaml, t.getKeyNode(), list, item));
                }
            } else {
                out.append(dumpOne(yaml, t.getKeyNode(), t.getValueNode()));
            }
        }
        lastLength = out.length();
        return out.toString();
    }

    /** The item changed (or left): its text is made again at the next dump. */
    void forget(Node item) {
        items.remove(item);
    }

    private String item(Yaml yaml, Node key, SequenceNode list, Node item) {
        String text = items.get(item);
        if (text == null) {
            text = direct(item);
            if (text == null) {
                String one = dumpOne(yaml, key, YamlNodes.sequence(list.getTag(), List.of(item)));
                text = one.substring(one.indexOf('\n') + 1);
            }
            items.put(item, text);
        }
        return text;
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

    /** The scalar's text when SnakeYAML writes it plain and untagged, else {@code null}. */
    private String plain(ScalarNode s) {
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

    private static String dumpOne(Yaml yaml, Node key, Node value) {
        MappingNode one = new MappingNode(Tag.MAP, new java.util.ArrayList<>(List.of(new NodeTuple(key, value))),
                DumperOptions.FlowStyle.BLOCK);
        return YamlNodes.dump(yaml, one);
    }
}
