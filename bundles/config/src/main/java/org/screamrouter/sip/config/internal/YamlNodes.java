package org.screamrouter.sip.config.internal;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * config.yaml as a YAML node tree: composed, never constructed, so a tag such as ScreamRouter's
 * {@code !!python/object:screamrouter...SinkDescription} stays data (a tag on a node) and no class is ever looked up.
 * Dumping writes the tree back as PyYAML's {@code yaml.dump} formats it (block style, indent 2, indentless sequences,
 * width 80, non-ASCII escaped, anchors {@code &id001}), keeping every tag and scalar style that was read: a
 * section nobody changed comes out as it went in.
 */
final class YamlNodes {
    static final String PYTHON_OBJECT = Tag.PREFIX + "python/object:";
    static final String PYTHON_APPLY = Tag.PREFIX + "python/object/apply:";

    /**
     * The largest document read or written, in code points. SnakeYAML's default (3 MB) is below what the server itself
     * writes for a few thousand devices; past it a file the server grew could not be read, and then nothing was written
     * again. 128 Mi is far above any file the server writes within the registrar's device cap (an entry is under 2 KB,
     * pickled), and the server refuses to write a document it could not read back ({@link #readable}).
     */
    static final int MAX_CODE_POINTS = 128 * 1024 * 1024;

    private YamlNodes() {}

    /** Whether a text the server is about to write is within what it reads. */
    static boolean readable(String text) {
        return text.length() <= MAX_CODE_POINTS || text.codePointCount(0, text.length()) <= MAX_CODE_POINTS;
    }

    /** The document's root node, {@code null} for an empty text. Duplicate keys are refused. */
    static Node compose(String text) throws ConfigParseException {
        Node root;
        try {
            root = yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new ConfigParseException(describe(e), e);
        } catch (YAMLException e) {
            throw new ConfigParseException(e.getMessage(), e);
        }
        if (root != null) {
            refuseDuplicateKeys(root, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return root;
    }

    static String dump(Node root) {
        return dump(yaml(), root);
    }

    /** A serializer set up as {@link #dump(Node)}'s, for several dumps in a row. */
    static Yaml dumper() {
        return yaml();
    }

    static String dump(Yaml yaml, Node root) {
        StringWriter out = new StringWriter();
        yaml.serialize(root, out);
        return out.toString();
    }

    /** The nodes that are in the tree more than once (PyYAML's anchors and aliases), usually none. */
    static Set<Node> sharedNodes(Node root) {
        Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> twice = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (!seen.add(node)) {
                twice.add(node);
                continue;
            }
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    todo.push(t.getValueNode());
                    todo.push(t.getKeyNode());
                }
            } else if (node instanceof SequenceNode s) {
                s.getValue().forEach(todo::push);
            }
        }
        return twice;
    }

    /** Whether the tree under {@code node} (itself included) holds one of {@code nodes}. */
    static boolean holdsAny(Node node, Set<Node> nodes) {
        if (nodes.contains(node)) {
            return true;
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (holdsAny(t.getKeyNode(), nodes) || holdsAny(t.getValueNode(), nodes)) {
                    return true;
                }
            }
        } else if (node instanceof SequenceNode s) {
            for (Node item : s.getValue()) {
                if (holdsAny(item, nodes)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Yaml yaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(80);
        options.setSplitLines(true);
        options.setAllowUnicode(false); // PyYAML's yaml.dump default
        options.setLineBreak(DumperOptions.LineBreak.UNIX);
        return new Yaml(new SafeConstructor(loaderOptions()), new Representer(options), options, loaderOptions());
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(MAX_CODE_POINTS);
        // PyYAML writes anchors for shared objects; the default of 50 is meant for untrusted input
        options.setMaxAliasesForCollections(1000);
        // tags are kept as data on the nodes and never resolved to a class, so every tag may be read
        options.setTagInspector(tag -> true);
        return options;
    }

    /** A rewrite would silently keep only one of two equal keys: such a file is refused instead. */
    private static void refuseDuplicateKeys(Node node, Set<Node> seen) throws ConfigParseException {
        if (!seen.add(node)) {
            return; // an alias: checked where its anchor is
        }
        if (node instanceof MappingNode m) {
            Set<String> keys = new HashSet<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && !Tag.MERGE.equals(k.getTag())
                        && !keys.add(k.getTag().getValue() + "\u0000" + k.getValue())) {
                    Mark mark = k.getStartMark();
                    throw new ConfigParseException(at(mark) + "found duplicate key " + k.getValue(), null);
                }
                refuseDuplicateKeys(t.getKeyNode(), seen);
                refuseDuplicateKeys(t.getValueNode(), seen);
            }
        } else if (node instanceof SequenceNode s) {
            for (Node item : s.getValue()) {
                refuseDuplicateKeys(item, seen);
            }
        }
    }

    /** "line 3, column 19: " for a mark (1-based, as editors count), "" without one. */
    static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }

    /** "line 3, column 12: mapping values are not allowed here (while scanning ...)". */
    static String describe(MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder s = new StringBuilder(at(mark));
        s.append(e.getProblem() != null ? e.getProblem() : e.getMessage());
        if (e.getContext() != null) {
            s.append(" (").append(e.getContext());
            Mark context = e.getContextMark();
            if (context != null && mark != context) {
                s.append(" at line ").append(context.getLine() + 1).append(", column ").append(context.getColumn() + 1);
            }
            s.append(')');
        }
        return s.toString();
    }

    // mapping access by scalar key

    static Node get(MappingNode map, String key) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t.getValueNode();
            }
        }
        return null;
    }

    static boolean has(MappingNode map, String key) {
        return get(map, key) != null;
    }

    /**
     * Sets a key's value: in place when the key is there, else appended, or, in a mapping whose keys are sorted (as
     * PyYAML writes them), inserted where PyYAML would have put it.
     */
    static void put(MappingNode map, String key, Node value) {
        List<NodeTuple> tuples = map.getValue();
        for (int i = 0; i < tuples.size(); i++) {
            if (tuples.get(i).getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                tuples.set(i, new NodeTuple(k, value));
                return;
            }
        }
        int at = tuples.size();
        if (sorted(tuples)) {
            for (int i = 0; i < tuples.size(); i++) {
                if (((ScalarNode) tuples.get(i).getKeyNode()).getValue().compareTo(key) > 0) {
                    at = i;
                    break;
                }
            }
        }
        tuples.add(at, new NodeTuple(scalar(key), value));
    }

    static boolean remove(MappingNode map, String key) {
        return map.getValue().removeIf(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key));
    }

    /** Keys in code point order, as Python's {@code sorted} orders them; a mapping of one key counts as sorted. */
    private static boolean sorted(List<NodeTuple> tuples) {
        String previous = null;
        for (NodeTuple t : tuples) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                return false;
            }
            if (previous != null && previous.compareTo(k.getValue()) > 0) {
                return false;
            }
            previous = k.getValue();
        }
        return !tuples.isEmpty();
    }

    // new nodes

    /** A scalar for a string, integer, boolean or {@code null}; the dump quotes a string that would read as another type. */
    static ScalarNode scalar(Object value) {
        if (value == null) {
            return new ScalarNode(Tag.NULL, "null", null, null, DumperOptions.ScalarStyle.PLAIN);
        }
        if (value instanceof Boolean b) {
            return new ScalarNode(Tag.BOOL, b ? "true" : "false", null, null, DumperOptions.ScalarStyle.PLAIN);
        }
        if (value instanceof Integer || value instanceof Long) {
            return new ScalarNode(Tag.INT, value.toString(), null, null, DumperOptions.ScalarStyle.PLAIN);
        }
        return new ScalarNode(Tag.STR, value.toString(), null, null, DumperOptions.ScalarStyle.PLAIN);
    }

    static MappingNode mapping(Tag tag, List<NodeTuple> tuples) {
        return new MappingNode(tag, new ArrayList<>(tuples), tuples.isEmpty() ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
    }

    static SequenceNode sequence(Tag tag, List<Node> items) {
        return new SequenceNode(tag, new ArrayList<>(items), items.isEmpty() ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
    }

    /** Whether the node is a pickled Python object's state ({@code !!python/object:...}), such as a pydantic model. */
    static boolean isPythonObject(Node node) {
        return node instanceof MappingNode && node.getTag().getValue().startsWith(PYTHON_OBJECT);
    }

    static Map<String, Node> index(MappingNode map) {
        Map<String, Node> out = new java.util.LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                out.putIfAbsent(k.getValue(), t.getValueNode());
            }
        }
        return out;
    }
}
