package org.screamrouter.sip.config.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Writes a config.yaml exactly as {@link YamlNodes#dump} writes its whole tree, from the document's skeleton (the
 * root with every section but the items of {@code sinks:} and {@code sources:}) and those items as
 * {@link StoredEntry}s, most of them kept as text ({@link EntryCodec}): a write puts texts together and serializes
 * only the rest of the document. Its cost does not grow with the entries nobody changed beyond copying their text.
 *
 * <p>A document with a node in two places (anchors and aliases, which ScreamRouter writes for a shared equalizer) is
 * dumped whole by SnakeYAML, which numbers the anchors, with a placeholder line for every item kept as text, replaced
 * by its text afterwards (such an item shares no node, so it takes no part in the anchors). A section list that is not
 * a plain block list is dumped with its items made into nodes again. Tests compare both ways on every fixture.
 */
final class ChunkedDump {

    private final EntryCodec codec;
    private int lastLength;

    ChunkedDump(EntryCodec codec) {
        this.codec = codec;
    }

    /**
     * The text of the document: {@code sections}, by list node (each empty in the skeleton), holds its items;
     * {@code shared}: the skeleton or a pinned item has a node in two places.
     */
    String dump(MappingNode root, Map<Node, List<StoredEntry>> sections, boolean shared) {
        if (shared || root.getFlowStyle() != DumperOptions.FlowStyle.BLOCK || !Tag.MAP.equals(root.getTag()) || root.getValue().isEmpty()) {
            return dumpWithPlaceholders(root, sections);
        }
        Yaml yaml = YamlNodes.dumper();
        StringBuilder out = new StringBuilder(lastLength + lastLength / 8 + 1024);
        for (NodeTuple t : root.getValue()) {
            List<StoredEntry> items = sections.get(t.getValueNode());
            String key = t.getKeyNode() instanceof ScalarNode k ? codec.plain(k) : null;
            if (items != null && key != null && plainList((SequenceNode) t.getValueNode()) && !items.isEmpty()) {
                out.append(key).append(":\n");
                for (StoredEntry item : items) {
                    out.append(item.text() != null ? item.text() : codec.text(item.node()));
                }
            } else if (items != null) {
                SequenceNode list = (SequenceNode) t.getValueNode();
                fill(list, items, null);
                try {
                    out.append(dumpOne(yaml, t.getKeyNode(), list));
                } finally {
                    list.getValue().clear();
                }
            } else {
                out.append(dumpOne(yaml, t.getKeyNode(), t.getValueNode()));
            }
        }
        lastLength = out.length();
        return out.toString();
    }

    /** The whole tree dumped by SnakeYAML, every item made into nodes (tests compare it with {@link #dump}). */
    String dumpWhole(MappingNode root, Map<Node, List<StoredEntry>> sections) {
        sections.forEach((list, items) -> fill((SequenceNode) list, items, null));
        try {
            return YamlNodes.dump(root);
        } finally {
            sections.keySet().forEach(list -> ((SequenceNode) list).getValue().clear());
        }
    }

    private String dumpWithPlaceholders(MappingNode root, Map<Node, List<StoredEntry>> sections) {
        String mark = "zz" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "n";
        Map<String, String> texts = new java.util.HashMap<>();
        // a placeholder comes out as a line "- <mark...>" only in a block list under a key of a block mapping
        boolean lines = root.getFlowStyle() == DumperOptions.FlowStyle.BLOCK && Tag.MAP.equals(root.getTag());
        sections.forEach((list, items) -> fill((SequenceNode) list, items, lines && plainList((SequenceNode) list) ? mark : null));
        String whole;
        try {
            for (Map.Entry<Node, List<StoredEntry>> s : sections.entrySet()) {
                if (lines && plainList((SequenceNode) s.getKey())) {
                    int i = 0;
                    for (StoredEntry item : s.getValue()) {
                        if (item.text() != null) {
                            texts.put(mark + System.identityHashCode(s.getKey()) + "x" + i, item.text());
                        }
                        i++;
                    }
                }
            }
            whole = YamlNodes.dump(root);
        } finally {
            sections.keySet().forEach(list -> ((SequenceNode) list).getValue().clear());
        }
        if (texts.isEmpty()) {
            return whole;
        }
        StringBuilder out = new StringBuilder(whole.length() + lastLength);
        int at = 0;
        String line = "- " + mark;
        for (int found = whole.indexOf(line, at); found >= 0; found = whole.indexOf(line, at)) {
            int end = whole.indexOf('\n', found);
            String text = end > 0 && (found == 0 || whole.charAt(found - 1) == '\n') ? texts.get(whole.substring(found + 2, end)) : null;
            if (text == null) {
                throw new IllegalStateException("placeholder not found where it belongs");
            }
            out.append(whole, at, found).append(text);
            at = end + 1;
            texts.remove(whole.substring(found + 2, end));
        }
        if (!texts.isEmpty()) {
            throw new IllegalStateException(texts.size() + " entries did not come out where they belong");
        }
        out.append(whole, at, whole.length());
        lastLength = out.length();
        return out.toString();
    }

    /** Puts the items' nodes (made from their texts, or placeholders named after {@code mark}) into the list. */
    private void fill(SequenceNode list, List<StoredEntry> items, String mark) {
        List<Node> value = list.getValue();
        value.clear();
        int i = 0;
        for (StoredEntry item : items) {
            if (item.text() == null) {
                value.add(item.node());
            } else if (mark != null) {
                value.add(YamlNodes.scalar(mark + System.identityHashCode(list) + "x" + i));
            } else {
                value.add(codec.parse(item.text()));
            }
            i++;
        }
    }

    /** A list whose items the dump writes one after the other, each as {@link EntryCodec#text} does. */
    private static boolean plainList(SequenceNode list) {
        return Tag.SEQ.equals(list.getTag()) && list.getFlowStyle() == DumperOptions.FlowStyle.BLOCK;
    }

    private static String dumpOne(Yaml yaml, Node key, Node value) {
        MappingNode one = new MappingNode(Tag.MAP, new ArrayList<>(List.of(new NodeTuple(key, value))),
                DumperOptions.FlowStyle.BLOCK);
        return YamlNodes.dump(yaml, one);
    }

}
