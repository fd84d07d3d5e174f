package org.screamrouter.sip.config.internal;

import java.util.Objects;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One entry of {@code sinks:} or {@code sources:}, in either form ScreamRouter loads: a plain mapping of fields (a
 * hand-written file, or one this server started), or a pickled pydantic model as ScreamRouter saves it
 * ({@code !!python/object:...SinkDescription} whose {@code __dict__} holds the fields, next to
 * {@code __pydantic_fields_set__}, {@code __pydantic_extra__} and {@code __pydantic_private__}). Fields are read and
 * written where the form keeps them; a field set in a model is also added to its fields-set, as an attribute
 * assignment in pydantic does. Nothing else of the node is touched.
 */
final class EntryNode {
    /** An int SnakeYAML reads as decimal: no sign but minus, no leading zero (octal in YAML 1.1), no '_', fits a long. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private final MappingNode node;
    private final MappingNode fields;

    private EntryNode(MappingNode node, MappingNode fields) {
        this.node = node;
        this.fields = fields;
    }

    /** The entry of a list item, or {@code null} for an item that is no entry (a scalar, a model without fields). */
    static EntryNode of(Node item) {
        if (!(item instanceof MappingNode m)) {
            return null;
        }
        if (YamlNodes.isPythonObject(m)) {
            return YamlNodes.get(m, "__dict__") instanceof MappingNode f ? new EntryNode(m, f) : null;
        }
        return new EntryNode(m, m);
    }

    MappingNode node() {
        return node;
    }

    boolean pickled() {
        return node != fields;
    }

    Node field(String key) {
        return YamlNodes.get(fields, key);
    }

    /** A field as a plain value (text, number, boolean, map, list; an address object as its text), or {@code null}. */
    Object value(String key) {
        return valueOf(field(key));
    }

    /**
     * {@link NodeView#of} with the common scalars read directly (a string, null, true/false, a plain decimal int): a
     * device change reads a dozen fields, and a NodeView is a SnakeYAML constructor made for each.
     */
    private static Object valueOf(Node node) {
        if (node instanceof ScalarNode s) {
            Tag tag = s.getTag();
            String v = s.getValue();
            if (Tag.STR.equals(tag)) {
                return v;
            }
            if (Tag.NULL.equals(tag)) {
                return null;
            }
            if (Tag.BOOL.equals(tag) && (v.equals("true") || v.equals("false"))) {
                return Boolean.valueOf(v);
            }
            if (Tag.INT.equals(tag) && DECIMAL.matcher(v).matches()) {
                long n = Long.parseLong(v);
                return n == (int) n ? (Object) (int) n : (Object) n;
            }
        }
        return NodeView.of(node);
    }

    /**
     * Every field as a plain value, in the entry's order (what {@link NodeView} makes of the entry, keys as text); the
     * common scalars are read directly. {@code null} when a key is not a string (then NodeView is asked for the whole).
     */
    java.util.Map<String, Object> values() {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (org.yaml.snakeyaml.nodes.NodeTuple t : fields.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k) || !Tag.STR.equals(k.getTag())) {
                return null;
            }
            out.put(k.getValue(), valueOf(t.getValueNode()));
        }
        return out;
    }

    /** A scalar field's text ({@code null} for null, a missing field or a collection). */
    String text(String key) {
        Object v = value(key);
        return v == null || v instanceof java.util.Map<?, ?> || v instanceof java.util.List<?> ? null : String.valueOf(v);
    }

    /**
     * Sets a field to a string, integer or boolean unless it already has that value (compared as values: {@code 5004}
     * and {@code '5004'} differ, an address in either form equals its text). Returns whether it changed.
     */
    boolean set(String key, Object value) {
        Node current = field(key);
        if (current != null && Objects.equals(comparable(key, valueOf(current)), comparable(key, value))) {
            return false;
        }
        put(key, key.equals("ip") ? ipNode(value, current) : YamlNodes.scalar(value));
        return true;
    }

    boolean remove(String key) {
        return YamlNodes.remove(fields, key);
    }

    /** Writes a node as a field (and, in a model, marks it set). */
    void put(String key, Node value) {
        YamlNodes.put(fields, key, value);
        if (pickled() && YamlNodes.get(node, "__pydantic_fields_set__") instanceof MappingNode set
                && Tag.SET.equals(set.getTag()) && !YamlNodes.has(set, key)) {
            YamlNodes.put(set, key, YamlNodes.scalar(null));
            set.setFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        }
    }

    private static Object comparable(String key, Object v) {
        if (key.equals("ip") && v instanceof String s) {
            return IpAddresses.canonical(s);
        }
        if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
            return n.longValue();
        }
        return v;
    }

    /**
     * An address in the form the entry already uses: a pickled {@code ipaddress} object when the old value was one,
     * else text.
     */
    private static Node ipNode(Object value, Node current) {
        if (value instanceof String s && current instanceof SequenceNode seq
                && seq.getTag().getValue().startsWith(YamlNodes.PYTHON_APPLY + "ipaddress.")) {
            return IpAddresses.literal(s).map(EntryNode::pickledAddress).orElse(YamlNodes.scalar(s));
        }
        return YamlNodes.scalar(value);
    }

    /** {@code !!python/object/apply:ipaddress.IPv4Address [3232235826]}, as PyYAML writes an {@code IPvAnyAddress}. */
    static Node pickledAddress(java.net.InetAddress address) {
        Tag tag = new Tag(YamlNodes.PYTHON_APPLY + IpAddresses.pythonClass(address));
        return YamlNodes.sequence(tag, java.util.List.of(YamlNodes.scalar(IpAddresses.pythonArgument(address))));
    }

    @Override
    public String toString() {
        ScalarNode name = field("name") instanceof ScalarNode s ? s : null;
        return name == null ? "(unnamed)" : name.getValue();
    }
}
